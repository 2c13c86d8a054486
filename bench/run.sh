#!/usr/bin/env bash
# Runs every benchmark; each prints one JSON line {"bench": NAME, ...} with side-by-side ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
for bench in expressions graph preview validate fuzz; do
  tsx "bench/${bench}.ts"
done
