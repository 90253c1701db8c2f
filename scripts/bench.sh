#!/usr/bin/env bash
# Runs the BenchmarkDotNet suite (Release build). Results: BenchmarkDotNet.Artifacts/results.
# Storage and block-connect figures come from the Performance tests: scripts/test.sh --filter Category=Performance
#   scripts/bench.sh [BenchmarkDotNet arguments, default: --filter '*' --job short]
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -eq 0 ]; then set -- --filter '*' --job short; fi
dotnet run -c Release --project ChainCore.Benchmarks -- "$@"
