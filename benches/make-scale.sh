#!/usr/bin/env bash
# Generates the 200-form scale set for the benchmarks into target/bench-scale/ (once; the
# generator is slow, ~2 minutes). Needs python3; installs the generator's packages with pip.
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/bench-scale
n=${1:-200}
if [ -f "$out/scale/truth.json" ] && [ "$(ls "$out/scale" | grep -c '\.xlsx$')" -ge "$n" ]; then
  exit 0
fi
python3 -c 'import openpyxl, xlwt, odf, defusedxml' 2>/dev/null \
  || python3 -m pip install --quiet -r tests/fixtures/requirements.txt
rm -rf "$out"
python3 tests/fixtures/make_fixtures.py tests/fixtures/qingshan/spec.json "$out" --seed 1 --scale "$n"
