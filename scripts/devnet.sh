#!/usr/bin/env bash
# Runs a local ChainCore devnet: a node on embedded SQLite storage (under .devnet/) and the miner
# (ChainCore.Miner) mining for it on every core. The miner's progress shows here; the node logs to
# .devnet/node-0.log. Ctrl-C stops both.
#
#   scripts/devnet.sh [--port 5000] [--address 1... | --wallet FILE] [--workers N] [--timeout SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."

port=5000
address=""
wallet=""
workers=""
timeout=""
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port="$2"; shift 2 ;;
    --address) address="$2"; shift 2 ;;
    --wallet) wallet="$2"; shift 2 ;;
    --workers) workers="$2"; shift 2 ;;
    --timeout) timeout="$2"; shift 2 ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done

# The genesis coinbase's all-zero key hash is a valid address nobody can spend from: a safe default payee.
payee=(--address "${address:-1111111111111111111114oLvT2}")
if [ -n "$wallet" ]; then payee=(--wallet "$wallet"); fi
extra=()
if [ -n "$workers" ]; then extra+=(--workers "$workers"); fi
if [ -n "$timeout" ]; then extra+=(--timeout "$timeout"); fi

mkdir -p .devnet
echo "building the node and the miner (Release)..."
if ! dotnet build ChainCore.Node -c Release -v quiet -nologo -clp:ErrorsOnly \
   || ! dotnet build ChainCore.Miner -c Release -v quiet -nologo -clp:ErrorsOnly; then
  echo "build failed (errors above)" >&2
  exit 1
fi

dotnet ChainCore.Node/bin/Release/net10.0/ChainCore.Node.dll \
  --node-id devnet-0 --network devnet --api-port "$port" --data-dir .devnet/node-0 \
  > .devnet/node-0.log 2>&1 &
node_pid=$!
trap 'kill "$node_pid" 2>/dev/null || true; wait "$node_pid" 2>/dev/null || true' EXIT INT TERM

url="http://127.0.0.1:$port"
for _ in $(seq 1 120); do
  if curl -fsS "$url/health/ready" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$node_pid" 2>/dev/null; then echo "node failed to start; see .devnet/node-0.log" >&2; tail -5 .devnet/node-0.log >&2; exit 1; fi
  sleep 0.5
done
curl -fsS "$url/health/ready" >/dev/null || { echo "node not ready; see .devnet/node-0.log" >&2; exit 1; }

echo "devnet node at $url (status: $url/status, mining stats: $url/mining/stats, OpenAPI: $url/openapi/v1.json)"
status=0
dotnet ChainCore.Miner/bin/Release/net10.0/ChainCore.Miner.dll --node "$url" "${payee[@]}" "${extra[@]}" || status=$?
exit "$status"
