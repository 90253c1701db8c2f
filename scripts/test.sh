#!/usr/bin/env bash
# Runs the ChainCore test suite: provisions PostgreSQL's binaries if needed (the suite starts a
# throwaway cluster itself, or uses CHAINCORE_TEST_PG), runs the tests with coverage, writes
# reports under tests/reports and enforces ChainCore.Core's line coverage.
#
#   scripts/test.sh                 the default run: everything but Slow and Performance
#   scripts/test.sh --all           everything (the nightly run)
#   scripts/test.sh --filter EXPR   a dotnet test filter, e.g. "Category=Crypto"
#   scripts/test.sh -- ARGS         extra arguments for dotnet test
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

filter="Category!=Slow&Category!=Performance"
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --all) filter=""; shift ;;
    --filter) filter="$2"; shift 2 ;;
    --) shift; extra+=("$@"); break ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) extra+=("$1"); shift ;;
  esac
done

min_core_coverage="${CHAINCORE_MIN_CORE_COVERAGE:-95}"
reports="$root/tests/reports"
rm -rf "$reports/coverage" "$reports/tests.trx" "$reports/tests.html"
mkdir -p "$reports/coverage"

if [ -z "${CHAINCORE_TEST_PG:-}" ]; then
  scripts/postgres.sh >/dev/null
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet tool restore >/dev/null

args=(test ChainCore.sln --settings testsettings.runsettings
  --results-directory "$reports"
  --logger "trx;LogFileName=tests.trx"
  --logger "html;LogFileName=tests.html"
  --logger "console;verbosity=minimal"
  /p:CollectCoverage=true
  /p:CoverletOutputFormat=cobertura
  "/p:CoverletOutput=$reports/coverage/"
  "/p:Include=\"[ChainCore.Core]*,[ChainCore.Node]*\"")
if [ -n "$filter" ]; then
  args+=(--filter "$filter")
fi

status=0
dotnet "${args[@]}" "${extra[@]}" || status=$?

cobertura="$reports/coverage/coverage.cobertura.xml"
coverage_status=0
if [ -f "$cobertura" ]; then
  dotnet reportgenerator "-reports:$cobertura" "-targetdir:$reports/coverage/html" -reporttypes:"Html;TextSummary" >/dev/null || echo "coverage: HTML report failed" >&2
  echo "Line coverage:"
  core_rate=""
  while read -r name rate; do
    percent=$(awk -v r="$rate" 'BEGIN { printf "%.2f", r * 100 }')
    echo "  $name: $percent %"
    if [ "$name" = "ChainCore.Core" ]; then core_rate="$percent"; fi
  done < <(grep -o '<package name="[^"]*" line-rate="[^"]*"' "$cobertura" | sed -E 's/<package name="([^"]*)" line-rate="([^"]*)"/\1 \2/')
  if [ -n "$core_rate" ] && [ -n "$filter" ] && [ "$filter" != "Category!=Slow&Category!=Performance" ]; then
    echo "coverage: a filtered run; the ChainCore.Core gate (${min_core_coverage} %) applies to the full runs only"
  elif [ -n "$core_rate" ] && awk -v c="$core_rate" -v m="$min_core_coverage" 'BEGIN { exit !(c < m) }'; then
    echo "coverage: ChainCore.Core line coverage ${core_rate} % is below ${min_core_coverage} %" >&2
    coverage_status=1
  fi
  echo "Reports: $reports (tests.trx, tests.html, coverage/html/index.html)"
fi

trx="$reports/tests.trx"
if [ -f "$trx" ]; then
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  count() { echo "$counters" | grep -o "$1=\"[0-9]*\"" | grep -o '[0-9]*' || echo 0; }
  passed=$(count passed); failed=$(count failed); total=$(count total); executed=$(count executed)
  skipped=$((total - executed))
  echo "Tests: $passed passed, $failed failed, $skipped skipped"
  if [ "$executed" -eq 0 ]; then
    echo "test: no test ran" >&2
    status=1
  fi
else
  echo "test: no results file; the run did not complete" >&2
  status=1
fi

if [ "$status" -ne 0 ]; then exit "$status"; fi
exit "$coverage_status"
