#!/usr/bin/env bash
# Runs the ChainCore test suite: provisions PostgreSQL's binaries if needed (the suite starts a
# throwaway cluster itself, or uses CHAINCORE_TEST_PG), builds, runs the tests with coverage and
# per-test progress, writes reports under tests/reports, lists the slowest tests, and enforces
# each product assembly's line coverage (90 % by default).
#
#   scripts/test.sh                 the default run: everything but Slow and Performance
#   scripts/test.sh --all           everything (the nightly run)
#   scripts/test.sh --filter EXPR   a dotnet test filter, e.g. "Category=Crypto"; selecting no test is an error
#   scripts/test.sh -- ARGS         extra arguments for dotnet test
#
# Environment: CHAINCORE_TEST_PG (a server of your own), CHAINCORE_TIMEOUT_FACTOR (slow machines),
# CHAINCORE_MIN_COVERAGE (the gate, default 90), CHAINCORE_KEEP_DATABASES=1 (keep a run's databases),
# CHAINCORE_PERF_GATE=1 (a performance regression against tests/baselines/performance.json fails the run),
# CHAINCORE_CONFIGURATION (Release by default: what ships, so allocation and performance checks are real).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

default_filter="Category!=Slow&Category!=Performance"
filter="$default_filter"
gated=1
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --all) filter=""; shift ;;
    --filter) filter="$2"; gated=0; shift 2 ;;
    --) shift; extra+=("$@"); break ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) extra+=("$1"); shift ;;
  esac
done

min_coverage="${CHAINCORE_MIN_COVERAGE:-90}"
# The product assemblies under the gate: those of this checkout.
products=()
for p in ChainCore.Core ChainCore.Node ChainCore.Miner ChainCore.Wallet; do
  if [ -f "$p/$p.csproj" ]; then products+=("$p"); fi
done
include=$(printf '[%s]*,' "${products[@]}"); include="${include%,}"

reports="$root/tests/reports"
rm -rf "$reports/coverage" "$reports/tests.trx" "$reports/tests.html" "$reports/failures"
for d in "$reports"/*/; do
  if [ -f "$d/coverage.cobertura.xml" ]; then rm -rf "$d"; fi
done
# This run's performance figures replace the last ones; their history (history.jsonl) stays.
rm -f "$reports"/performance/*.json
mkdir -p "$reports/coverage"

if [ -z "${CHAINCORE_TEST_PG:-}" ]; then
  echo "==> PostgreSQL server binaries"
  scripts/postgres.sh
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
echo "==> Restoring tools and building"
dotnet tool restore >/dev/null
configuration="${CHAINCORE_CONFIGURATION:-Release}"
dotnet build ChainCore.sln -c "$configuration" -nologo -v quiet -clp:NoSummary
echo "==> Testing${filter:+ ($filter)}"

args=(test ChainCore.Tests -c "$configuration" --no-build --settings testsettings.runsettings
  --results-directory "$reports"
  --logger "trx;LogFileName=tests.trx"
  --logger "html;LogFileName=tests.html"
  --logger "console;verbosity=normal"
  --collect "XPlat Code Coverage")
if [ -n "$filter" ]; then
  args+=(--filter "$filter")
fi

status=0
# Per-test lines ("Passed Name [12 ms]") as they finish; the stack traces of failures stay in full.
# Coverage by coverlet's collector (it reports also when tests fail), of the product assemblies only.
# Tests' own output stays in their results (trx, html) instead of interleaving with the progress lines.
run_settings=(DataCollectionRunSettings.DataCollectors.DataCollector.Configuration.Format=cobertura
  "DataCollectionRunSettings.DataCollectors.DataCollector.Configuration.Include=$include"
  NUnit.ConsoleOut=0)
dotnet "${args[@]}" ${extra[@]+"${extra[@]}"} -- "${run_settings[@]}" | grep --line-buffered -vE '^\s*$|^Results File:|^NUnit Adapter|^Running (all|selected) tests in' || status=${PIPESTATUS[0]}

trx="$reports/tests.trx"
executed=0
if [ -f "$trx" ] && grep -q '<UnitTestResult ' "$trx"; then
  # The ten slowest tests, as Bitcoin Core's test runner lists them.
  echo
  echo "Slowest tests:"
  grep -o '<UnitTestResult [^>]*>' "$trx" \
    | sed -nE 's/.*testName="([^"]*)".*duration="([0-9]+):([0-9]+):([0-9.]+)".*/\2 \3 \4 \1/p' \
    | awk '{ s = $1 * 3600 + $2 * 60 + $3; $1 = $2 = $3 = ""; sub(/^ +/, ""); printf "%9.2f s  %s\n", s, $0 }' \
    | sort -rn | head -n 10 | sed 's/&quot;/"/g; s/&amp;/\&/g; s/&lt;/</g; s/&gt;/>/g' || true
fi

cobertura="$reports/coverage/coverage.cobertura.xml"
collected=$(ls -t "$reports"/*/coverage.cobertura.xml 2>/dev/null | head -n 1 || true)
if [ -n "$collected" ]; then
  mv "$collected" "$cobertura"
  rmdir "$(dirname "$collected")" 2>/dev/null || true
fi
coverage_status=0
if [ -f "$cobertura" ]; then
  dotnet reportgenerator "-reports:$cobertura" "-targetdir:$reports/coverage/html" -reporttypes:"Html;TextSummary" >/dev/null || echo "coverage: HTML report failed" >&2
  echo
  echo "Line coverage (gate: ${min_coverage} % for each product assembly$([ "$gated" -eq 1 ] || echo '; not applied to a filtered run')):"
  rates=$(grep -o '<package name="[^"]*" line-rate="[^"]*"' "$cobertura" | sed -E 's/<package name="([^"]*)" line-rate="([^"]*)"/\1 \2/')
  for p in "${products[@]}"; do
    percent=$(echo "$rates" | awk -v p="$p" '$1 == p { printf "%.2f", $2 * 100; found = 1 } END { if (!found) printf "0.00" }')
    verdict="ok"
    if awk -v c="$percent" -v m="$min_coverage" 'BEGIN { exit !(c < m) }'; then
      verdict="BELOW $min_coverage % by $(awk -v c="$percent" -v m="$min_coverage" 'BEGIN { printf "%.2f", m - c }') points"
      if [ "$gated" -eq 1 ]; then coverage_status=1; fi
    fi
    printf '  %-18s %6s %%  %s\n' "$p" "$percent" "$verdict"
  done
  echo "HTML coverage report: $reports/coverage/html/index.html"
fi

# Performance figures measured in this run, against the committed baseline (a regression over its
# tolerance fails the run only when CHAINCORE_PERF_GATE=1, as in the nightly: figures vary by machine).
if ls "$reports"/performance/*.json >/dev/null 2>&1; then
  echo
  perf_args=(exec "ChainCore.Tests/bin/$configuration/net10.0/ChainCore.Tests.dll" compare-performance tests/baselines/performance.json "$reports/performance")
  if [ "${CHAINCORE_PERF_GATE:-0}" = "1" ]; then perf_args+=(--fail-on-regression); fi
  dotnet "${perf_args[@]}" || { echo "performance: regression against tests/baselines/performance.json" >&2; status=1; }
fi

if [ -f "$trx" ]; then
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  count() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*' || echo 0; }
  passed=$(count passed); failed=$(count failed); total=$(count total); executed=$(count executed)
  skipped=$((total - executed))
  echo "Reports: $reports (tests.trx, tests.html, coverage/, failures/ when a test failed)"
  if [ -d "$reports/failures" ]; then echo "Evidence of failed tests: $reports/failures"; fi
  echo "Tests: $passed passed, $failed failed, $skipped skipped"
else
  echo "test: no results file; the run did not complete" >&2
  status=1
fi

if [ "$executed" -eq 0 ]; then
  echo "test: NO TEST RAN${filter:+: the filter '$filter' selects no test}" >&2
  status=1
fi

if [ "$status" -ne 0 ]; then exit "$status"; fi
if [ "$coverage_status" -ne 0 ]; then
  echo "coverage: below the ${min_coverage} % gate (see above)" >&2
fi
exit "$coverage_status"
