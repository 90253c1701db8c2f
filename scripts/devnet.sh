#!/usr/bin/env bash
# Runs a local ChainCore devnet: three connected nodes on embedded SQLite storage (under .devnet/),
# nodes 1 and 2 bootstrapped from node 0, and the miner (ChainCore.Miner) mining into node 0 on
# every core. A live status line per node (height, peers, tip) and the miner's hash rate refresh
# every second; logs go to .devnet/*.log. Ctrl-C stops everything.
#
#   scripts/devnet.sh [--port 5000] [--nodes 3] [--address 1... | --wallet FILE] [--workers N] [--timeout SECONDS]
set -euo pipefail
# Relative paths given to the script (--wallet) mean the caller's directory, not the repository's.
caller=$(pwd)
cd "$(dirname "$0")/.."

port=5000
nodes=3
address=""
wallet=""
workers=""
timeout=""
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port="$2"; shift 2 ;;
    --nodes) nodes="$2"; shift 2 ;;
    --address) address="$2"; shift 2 ;;
    --wallet) wallet="$2"; shift 2 ;;
    --workers) workers="$2"; shift 2 ;;
    --timeout) timeout="$2"; shift 2 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done
case "$port" in ''|*[!0-9]*) echo "--port must be a number" >&2; exit 2 ;; esac
case "$nodes" in ''|*[!0-9]*|0) echo "--nodes must be a positive number" >&2; exit 2 ;; esac

# The genesis coinbase's all-zero key hash is a valid address nobody can spend from: a safe default payee.
payee=(--address "${address:-1111111111111111111114oLvT2}")
if [ -n "$wallet" ]; then
  case "$wallet" in /*) ;; *) wallet="$caller/$wallet" ;; esac
  # Checked before building and starting nodes, so a mistyped name costs nothing.
  if [ ! -f "$wallet" ]; then echo "--wallet: file not found: $wallet" >&2; exit 2; fi
  payee=(--wallet "$wallet")
fi
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

pids=()
miner_pid=""
stop_all() {
  trap - EXIT INT TERM
  [ -n "$miner_pid" ] && kill "$miner_pid" 2>/dev/null || true
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -n "$miner_pid" ] && wait "$miner_pid" 2>/dev/null || true
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap 'stop_all; echo; echo "devnet stopped"; exit 130' INT TERM
trap stop_all EXIT

url_of() { echo "http://127.0.0.1:$((port + $1))"; }

for i in $(seq 0 $((nodes - 1))); do
  bootstrap=()
  if [ "$i" -gt 0 ]; then bootstrap=(--bootstrap-nodes "$(url_of 0)"); fi
  dotnet ChainCore.Node/bin/Release/net10.0/ChainCore.Node.dll \
    --node-id "devnet-$i" --network devnet --api-port "$((port + i))" --data-dir ".devnet/node-$i" "${bootstrap[@]}" \
    > ".devnet/node-$i.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 120); do
    if curl -fsS "$(url_of "$i")/health/ready" >/dev/null 2>&1; then break; fi
    if ! kill -0 "${pids[$i]}" 2>/dev/null; then echo "node $i failed to start; see .devnet/node-$i.log" >&2; tail -5 ".devnet/node-$i.log" >&2; exit 1; fi
    sleep 0.5
  done
  curl -fsS "$(url_of "$i")/health/ready" >/dev/null || { echo "node $i not ready; see .devnet/node-$i.log" >&2; exit 1; }
done

miner_port=$((port + 100))
dotnet ChainCore.Miner/bin/Release/net10.0/ChainCore.Miner.dll --node "$(url_of 0)" --api-port "$miner_port" "${payee[@]}" "${extra[@]}" \
  > .devnet/miner.log 2>&1 &
miner_pid=$!

echo "devnet: $nodes nodes at $(url_of 0) … $(url_of $((nodes - 1))) (GET /status, /peers, /openapi/v1.json); miner status at http://127.0.0.1:$miner_port/status"
for ((i = 0; i < nodes; i++)); do echo "dashboard devnet-$i: $(url_of "$i")/"; done
echo "logs in .devnet/; Ctrl-C stops everything"

# A JSON field's value (numbers and strings), without needing jq.
field() { sed -n "s/.*\"$2\":\"\{0,1\}\([^,\"}]*\).*/\1/p" <<<"$1"; }

lines=$((nodes + 1))
first=1
while kill -0 "$miner_pid" 2>/dev/null; do
  out=""
  for i in $(seq 0 $((nodes - 1))); do
    if s=$(curl -fsS --max-time 2 "$(url_of "$i")/status" 2>/dev/null); then
      tip=$(field "$s" tip_hash)
      out+=$(printf 'devnet-%-2s height %-6s peers %-2s tip %s…' "$i" "$(field "$s" tip_height)" "$(field "$s" active_peers)" "${tip:0:16}")
    else
      out+=$(printf 'devnet-%-2s not answering (see .devnet/node-%s.log)' "$i" "$i")
    fi
    out+=$'\n'
  done
  if m=$(curl -fsS --max-time 2 "http://127.0.0.1:$miner_port/status" 2>/dev/null); then
    out+=$(printf 'miner     %s H/s, %s blocks found, %s workers' "$(field "$m" hash_rate)" "$(field "$m" blocks_found)" "$(field "$m" workers)")
  else
    out+="miner     starting…"
  fi
  if [ -t 1 ]; then
    [ "$first" -eq 1 ] || printf '\033[%dA' "$lines"
    while IFS= read -r line; do printf '\033[2K%s\n' "$line"; done <<<"$out"
  else
    printf '%s\n---\n' "$out"
  fi
  first=0
  sleep 1
done

status=0
wait "$miner_pid" || status=$?
miner_pid=""
echo "the miner stopped (exit $status); see .devnet/miner.log"
exit "$status"
