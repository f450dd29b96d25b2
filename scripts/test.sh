#!/usr/bin/env bash
# Runs all tests: the Rust tests (engine, reducer and view logic), then the browser tests in
# headless Chromium against the release build of the web app. Installs missing tools first.
set -euo pipefail
cd "$(dirname "$0")/.."
WITH_BROWSER=1 source scripts/tools.sh

echo "=== Rust tests ==="
cargo test

echo "=== web app release build ==="
cargo build --release --bin yibiao
trunk build --release --offline
du -b dist/*.wasm dist/*.js dist/*.css | awk '{print}'
gzip -9 -c dist/*.wasm | wc -c | awk '{printf "wasm gzip: %d bytes\n", $1}'

echo "=== browser tests: served on localhost ==="
node e2e/run.mjs dist

echo "=== browser tests: the single offline file opened from disk ==="
python3 scripts/single_file.py dist dist-single/yibiao.html
node e2e/run.mjs dist-single/yibiao.html
