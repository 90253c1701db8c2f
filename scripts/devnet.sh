#!/usr/bin/env bash
# Runs a local ChainCore devnet: a node on embedded SQLite storage (under .devnet/) and a miner
# loop that asks it for a block every few seconds. Ctrl-C stops everything.
#
#   scripts/devnet.sh [--port 5000] [--interval 5] [--address 1...]
set -euo pipefail
cd "$(dirname "$0")/.."

port=5000
interval=5
address=""
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port="$2"; shift 2 ;;
    --interval) interval="$2"; shift 2 ;;
    --address) address="$2"; shift 2 ;;
    -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done

# The genesis coinbase's all-zero key hash is a valid address nobody can spend from: a safe default payee.
address="${address:-1111111111111111111114oLvT2}"

mkdir -p .devnet
dotnet build ChainCore.Node -c Release -v quiet -nologo >/dev/null

dotnet run --no-build -c Release --project ChainCore.Node -- \
  --node-id devnet-0 --network devnet --api-port "$port" --data-dir .devnet/node-0 \
  > .devnet/node-0.log 2>&1 &
node_pid=$!
trap 'kill "$node_pid" 2>/dev/null || true; wait "$node_pid" 2>/dev/null || true' EXIT INT TERM

url="http://127.0.0.1:$port"
for _ in $(seq 1 120); do
  if curl -fsS "$url/health/ready" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$node_pid" 2>/dev/null; then echo "node failed to start; see .devnet/node-0.log" >&2; exit 1; fi
  sleep 0.5
done
curl -fsS "$url/health/ready" >/dev/null || { echo "node not ready; see .devnet/node-0.log" >&2; exit 1; }

echo "devnet node at $url (status: $url/status, OpenAPI: $url/openapi/v1.json); mining to $address every ${interval}s"
while kill -0 "$node_pid" 2>/dev/null; do
  if block=$(curl -fsS -X POST -H 'Content-Type: application/json' -d "{\"miner_address\":\"$address\"}" "$url/mine_block"); then
    echo "mined: $block"
  fi
  sleep "$interval"
done
