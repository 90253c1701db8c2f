#!/usr/bin/env bash
# Benchmarks.
#   scripts/bench.sh mining [--rounds 3] [--seconds 5]
#       The miner's hash rate (one worker, all workers) next to the limit OpenSSL's SHA-256 implies on
#       this machine, both measured in the same run, alternately; medians of the rounds.
#   scripts/bench.sh [BenchmarkDotNet arguments, default: --filter '*' --job short]
#       The BenchmarkDotNet suite (Release build). Results: BenchmarkDotNet.Artifacts/results.
# Storage and block-connect figures come from the Performance tests: scripts/test.sh --filter Category=Performance
set -euo pipefail
cd "$(dirname "$0")/.."

mining() {
  local rounds=3 seconds=5
  while [ $# -gt 0 ]; do
    case "$1" in
      --rounds) rounds="$2"; shift 2 ;;
      --seconds) seconds="$2"; shift 2 ;;
      *) echo "unknown option: $1" >&2; exit 2 ;;
    esac
  done
  command -v openssl >/dev/null || { echo "openssl is needed for the reference (apt-get install openssl)" >&2; exit 1; }

  echo "building the miner (Release)..."
  dotnet build ChainCore.Miner -c Release -nologo -v quiet -clp:ErrorsOnly
  local miner=(dotnet ChainCore.Miner/bin/Release/net10.0/ChainCore.Miner.dll)
  local cores
  cores=$(nproc)

  # OpenSSL hashes 16 KiB messages: 256 compressions each, so bytes/s / 64 is its compression rate on
  # one core. A nonce costs two compressions with a midstate, so that rate / 2 is what one core could
  # reach nonce by nonce with OpenSSL's SHA-256 (SHA-NI where the CPU has it). Wall-clock time
  # (-elapsed) like the miner's, measured right before each miner run: the machine may be shared.
  local limits=() ones=() alls=()
  for round in $(seq 1 "$rounds"); do
    local kbps
    kbps=$(openssl speed -elapsed -seconds "$seconds" -evp sha256 -bytes 16384 2>/dev/null | awk '/^sha256/ {print $2}' | tr -d k)
    limits+=("$(awk -v k="$kbps" 'BEGIN { printf "%.0f", k * 1000 / 64 / 2 }')")
    ones+=("$("${miner[@]}" --benchmark "$seconds" --workers 1 | awk '/^hash rate:/ {print $3}')")
    alls+=("$("${miner[@]}" --benchmark "$seconds" --workers "$cores" | awk '/^hash rate:/ {print $3}')")
    echo "round $round: openssl limit ${limits[-1]} H/s, miner 1 worker ${ones[-1]} H/s, $cores workers ${alls[-1]} H/s"
  done

  median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
  local limit one all kernel
  limit=$(median "${limits[@]}"); one=$(median "${ones[@]}"); all=$(median "${alls[@]}")
  kernel=$("${miner[@]}" --benchmark 1 --workers 1 | sed -n 's/.*workers, \(.*\) kernel/\1/p')
  echo
  echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $cores cores, kernel $kernel, load $(cut -d' ' -f1-3 /proc/loadavg)"
  awk -v l="$limit" -v o="$one" -v a="$all" -v c="$cores" -v r="$rounds" 'BEGIN {
    printf "openssl-derived limit (one core, 2 compressions per nonce): %.2f MH/s\n", l / 1e6
    printf "miner, 1 worker:  %.2f MH/s (median of %d)\n", o / 1e6, r
    printf "miner, %d workers: %.2f MH/s (median of %d)\n", c, a / 1e6, r
    printf "ratio 1 worker / openssl limit: %.2f (budget >= 1.30)\n", o / l
    printf "ratio %d workers / (%d x 1 worker): %.2f (budget >= 0.95)\n", c, c, a / (c * o)
  }'
}

if [ "${1:-}" = "mining" ]; then
  shift
  mining "$@"
  exit 0
fi

if [ $# -eq 0 ]; then set -- --filter '*' --job short; fi
dotnet run -c Release --project ChainCore.Benchmarks -- "$@"
