#!/usr/bin/env bash
# Runs every benchmark; each prints one JSON line {"bench": NAME, ...} with side-by-side ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
# BENCH_USERS=N sizes the users benchmarks (preview and diff: N users, and 10 N for the flat-memory
# check); the default is 100,000 and 1,000,000 users, several minutes: BENCH_USERS=10000 for a quick run.
for bench in expressions graph preview diff validate fuzz; do
  case "$bench" in
    preview) tsx "bench/${bench}.ts" ${BENCH_USERS:+--users "$BENCH_USERS"} ;;
    diff) tsx "bench/${bench}.ts" ${BENCH_USERS:+--users "$(( BENCH_USERS * 10 ))"} ;;
    *) tsx "bench/${bench}.ts" ;;
  esac
done
