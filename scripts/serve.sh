#!/usr/bin/env bash
# Serves the web app on http://127.0.0.1:8080 (installing the build tools first if missing).
# Click 载入示例表格 to see the built-in 青山县 forms merged.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/tools.sh
echo "一表 Yibiao: http://127.0.0.1:8080"
exec trunk serve --release --offline
