#!/usr/bin/env bash
# Builds the one self-contained offline file dist-single/yibiao.html (wasm, script and styles
# inlined; works opened from disk with no network — copy it to a USB stick or an intranet PC).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/tools.sh
trunk build --release --offline
python3 scripts/single_file.py dist dist-single/yibiao.html
