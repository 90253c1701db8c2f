#!/usr/bin/env bash
# Coverage-guided fuzzing of every parser a peer or an API caller feeds (ChainCore.Fuzz --list),
# with afl-fuzz (AFL++; Debian's afl++ package is installed when it is missing, as root or with
# password-less sudo) and SharpFuzz's instrumentation (the repository's dotnet tool). Each target
# starts from its saved corpus, tests/fuzz/corpus/TARGET, and runs for the given time, one after
# the other. Prints executions per second and corpus size per target. Crashes and hangs are copied
# to tests/reports/fuzz/findings/TARGET/ and crashes replayed on an uninstrumented build to show what
# they throw; any finding makes the exit code 1. The table is kept in tests/reports/fuzz/summary.txt.
#
#   scripts/fuzz.sh [--seconds N] [--save-corpus] [TARGET...]     (default: 60 seconds, every target)
#
# --save-corpus merges what afl-fuzz found into tests/fuzz/corpus/TARGET, minimized with afl-cmin
# (the seed-* files and the crash-* inputs of fixed findings always stay; the others are replaced
# by the minimized set).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=60
save=0
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds)
      [ $# -ge 2 ] || { echo "fuzz: --seconds needs a number" >&2; exit 2; }
      seconds="$2"
      shift 2
      ;;
    --save-corpus) save=1; shift ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "fuzz: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
case "$seconds" in
  ''|*[!0-9]*|0) echo "fuzz: --seconds must be a whole number above 0, got '$seconds'" >&2; exit 2 ;;
esac

if ! command -v afl-fuzz >/dev/null 2>&1 || ! command -v afl-cmin >/dev/null 2>&1; then
  sudo=""
  if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo="sudo -n"
  fi
  if { [ "$(id -u)" -eq 0 ] || [ -n "$sudo" ]; } && command -v apt-get >/dev/null 2>&1; then
    echo "fuzz: installing Debian's afl++ package" >&2
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq >&2
    $sudo apt-get install -y -qq --no-install-recommends afl++ >&2
  fi
  if ! command -v afl-fuzz >/dev/null 2>&1; then
    echo "fuzz: afl-fuzz (AFL++) is not installed and could not be installed; Debian/Ubuntu: sudo apt-get install afl++" >&2
    exit 1
  fi
fi

out=tests/reports/fuzz
work="$out/work"
rm -rf "$work" "$out/findings" "$out/summary.txt"
mkdir -p "$work" "$out/findings"

echo "fuzz: building ChainCore.Fuzz" >&2
dotnet tool restore >/dev/null
dotnet publish ChainCore.Fuzz -c Release -o "$work/plain" --nologo -v quiet >&2
cp -R "$work/plain" "$work/instrumented"
# Only the code that reads strangers' bytes is instrumented: all of ChainCore.Core (its formats,
# encodings and checks) and the node's boundary types; the rest of the node would only add noise.
dotnet sharpfuzz "$work/instrumented/ChainCore.Core.dll" >&2
dotnet sharpfuzz "$work/instrumented/ChainCore.Node.dll" ChainCore.Node.Api.RequestParser,ChainCore.Node.Api.RequestBody,ChainCore.Node.Network.PeerWire >&2

listing=$(dotnet "$work/plain/ChainCore.Fuzz.dll" --list)
all=$(cut -f1 <<<"$listing")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets <<<"$all"
fi
for target in "${targets[@]}"; do
  grep -qxF "$target" <<<"$all" || { echo "fuzz: unknown target '$target'; targets: $(echo $all)" >&2; exit 2; }
done

# afl-fuzz and afl-cmin want the real path of the program they start; the target is the
# instrumented build run by it. The forkserver is SharpFuzz's, not a compiled-in one.
dotnet_bin=$(readlink -f "$(command -v dotnet)")
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
# A dotnet process that starts again after a finding needs far more than one execution's time.
timeout_ms=5000

count_bytes() { find "$1" -maxdepth 1 -type f ! -name '.*' -printf '%s\n' 2>/dev/null | awk '{ s += $1 } END { print s + 0 }'; }
count_files() { find "$1" -maxdepth 1 -type f ! -name '.*' 2>/dev/null | wc -l | tr -d ' '; }
# Findings are named by content, without the ':' of afl's names (not allowed in CI artifacts).
copy_by_content() {
  local from="$1" to="$2" prefix="$3" file
  mkdir -p "$to"
  for file in "$from"/id:*; do
    [ -e "$file" ] || continue
    cp "$file" "$to/$prefix-$(sha1sum "$file" | cut -c1-12)"
  done
}

status=0
summary=()
for target in "${targets[@]}"; do
  corpus="tests/fuzz/corpus/$target"
  run="$work/afl/$target"
  mkdir -p "$work/afl"
  dictionary=()
  if [ "$(awk -F'\t' -v t="$target" '$1 == t { print $2 }' <<<"$listing")" = json ]; then
    dictionary=(-x tests/fuzz/json.dict)
  fi
  echo "fuzz: $target for ${seconds}s from $(count_files "$corpus") saved inputs" >&2
  if ! afl-fuzz -V "$seconds" -t "$timeout_ms" -m none "${dictionary[@]}" -i "$corpus" -o "$run" \
      -- "$dotnet_bin" "$work/instrumented/ChainCore.Fuzz.dll" "$target" >"$run.log" 2>&1; then
    echo "fuzz: afl-fuzz failed on $target; the end of its log ($run.log):" >&2
    tail -n 20 "$run.log" >&2
    summary+=("$(printf '%-36s %s' "$target" 'afl-fuzz failed')")
    status=1
    continue
  fi

  stat_of() { awk -F' *: *' -v key="$1" '$1 == key { print $2 }' "$run/default/fuzzer_stats"; }
  execs=$(stat_of execs_done)
  run_time=$(stat_of run_time)
  per_second=$(( execs / (run_time > 0 ? run_time : 1) ))
  crashes=$(find "$run/default/crashes" -maxdepth 1 -name 'id:*' | wc -l | tr -d ' ')
  hangs=$(find "$run/default/hangs" -maxdepth 1 -name 'id:*' | wc -l | tr -d ' ')
  queue_files=$(find "$run/default/queue" -maxdepth 1 -name 'id:*' | wc -l | tr -d ' ')
  queue_bytes=$(find "$run/default/queue" -maxdepth 1 -name 'id:*' -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')

  if [ "$crashes" -gt 0 ] || [ "$hangs" -gt 0 ]; then
    status=1
    copy_by_content "$run/default/crashes" "$out/findings/$target" crash
    copy_by_content "$run/default/hangs" "$out/findings/$target" hang
    echo "fuzz: $target: $crashes crashes, $hangs hangs, copied to $out/findings/$target" >&2
    if [ "$crashes" -gt 0 ]; then
      dotnet "$work/plain/ChainCore.Fuzz.dll" "$target" "$out/findings/$target"/crash-* >&2 || true
    fi
  fi

  if [ "$save" -eq 1 ]; then
    merged="$work/cmin/$target/in"
    minimized="$work/cmin/$target/out"
    mkdir -p "$merged"
    cp "$corpus"/* "$merged/"
    copy_by_content "$run/default/queue" "$merged" afl
    afl-cmin -i "$merged" -o "$minimized" -t "$timeout_ms" -m none \
      -- "$dotnet_bin" "$work/instrumented/ChainCore.Fuzz.dll" "$target" >"$work/cmin/$target.log" 2>&1
    find "$corpus" -maxdepth 1 -type f ! -name 'seed-*' ! -name 'crash-*' -delete
    for file in "$minimized"/*; do
      [ -e "$file" ] || continue
      name=$(basename "$file")
      case "$name" in
        seed-*|crash-*) ;;
        *) cp "$file" "$corpus/afl-$(sha1sum "$file" | cut -c1-12)" ;;
      esac
    done
  fi

  summary+=("$(printf '%-36s %9s %12s %7s %9s %7s %9s %7s %5s' "$target" "$per_second" "$execs" \
    "$queue_files" "$queue_bytes" "$(count_files "$corpus")" "$(count_bytes "$corpus")" "$crashes" "$hangs")")
done

{
  printf '%-36s %9s %12s %7s %9s %7s %9s %7s %5s\n' target 'execs/s' executions queue 'bytes' saved 'bytes' crashes hangs
  printf '%s\n' "${summary[@]}"
  echo "($seconds s per target; queue: afl-fuzz's corpus at the end; saved: tests/fuzz/corpus after the run)"
} | tee "$out/summary.txt"
exit "$status"
