#!/usr/bin/env bash
# Installs what building and testing the web app needs, only where missing, from package
# registries (crates.io, npm, Debian): the wasm32 target, wasm-bindgen-cli at exactly the
# version in Cargo.lock, Trunk 0.21.14, wasm-opt (npm binaryen) and playwright-core (in e2e/),
# and, for the browser tests (WITH_BROWSER=1), Debian's chromium and a Chinese font (WenQuanYi Micro Hei, for screenshots). Source it: it extends PATH.
# First install of wasm-bindgen-cli and trunk takes ~15–20 minutes on 2 cores.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$HOME/.cargo/bin:$root/e2e/node_modules/.bin:$PATH"

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi
wb_version=$(grep -A1 '^name = "wasm-bindgen"$' "$root/Cargo.lock" | sed -n 's/^version = "\(.*\)"$/\1/p')
if ! wasm-bindgen --version 2>/dev/null | grep -qF "$wb_version"; then
  cargo install wasm-bindgen-cli --version "$wb_version"
fi
if ! trunk --version 2>/dev/null | grep -qF "0.21.14"; then
  cargo install trunk --version 0.21.14 --locked
fi
if [ ! -x "$root/e2e/node_modules/.bin/wasm-opt" ] || [ ! -d "$root/e2e/node_modules/playwright-core" ]; then
  (cd "$root/e2e" && npm ci --no-audit --no-fund)
fi
if [ "${WITH_BROWSER:-0}" = 1 ] && { ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi wqy; }; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -q && apt-get install -y -q chromium chromium-driver fonts-wqy-microhei
  else
    sudo apt-get update -q && sudo apt-get install -y -q chromium chromium-driver fonts-wqy-microhei
  fi
fi
