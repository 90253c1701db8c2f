#!/usr/bin/env bash
# Runs the ChainCore test suite: provisions PostgreSQL's binaries if needed (the suite starts a
# throwaway cluster itself, or uses CHAINCORE_TEST_PG), builds Release, and runs the selected tests in
# two passes with per-test progress: every test but Performance with coverage (coverlet.msbuild; each
# product assembly needs 90 % of its lines covered), then the Performance tests without it, since
# instrumentation slows the code they measure many times over. Reports go to tests/reports; the
# slowest tests and the counts come last.
#
#   scripts/test.sh                 the default run: testsettings.runsettings' selection (everything but Slow and Performance)
#   scripts/test.sh --all           everything (the nightly run)
#   scripts/test.sh --filter EXPR   a dotnet test filter, e.g. "Category=Crypto"; selecting no test is an error
#   scripts/test.sh --all --shard K/N   shard K of N of that selection, whole fixtures weighed by the durations in
#                                   tests/reports/durations/*.trx (earlier runs; test counts without them); Performance
#                                   tests are never sharded (run them apart: --filter Category=Performance); no coverage gate
#   scripts/test.sh -- ARGS         extra arguments for dotnet test
#
# Environment: CHAINCORE_TEST_PG (a server of your own), CHAINCORE_TIMEOUT_FACTOR (slow machines),
# CHAINCORE_MIN_COVERAGE (the gate, default 90), CHAINCORE_KEEP_DATABASES=1 (keep a run's databases),
# CHAINCORE_PERF_GATE=1 (a performance ratio worse than tests/baselines/performance.json allows fails the run),
# CHAINCORE_CONFIGURATION (Release by default: what ships, so allocation and performance checks are real).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

selection=default
filter=""
shard=""
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --all) selection=all; shift ;;
    --filter) selection=filter; filter="${2:?--filter needs an expression}"; shift 2 ;;
    --shard) shard="${2:?--shard needs K/N, e.g. 2/4}"; shift 2 ;;
    --) shift; extra+=("$@"); break ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) extra+=("$1"); shift ;;
  esac
done

min_coverage="${CHAINCORE_MIN_COVERAGE:-90}"
# The product assemblies under the gate: those of this checkout (%2c: a comma inside one MSBuild property).
include=""
for p in ChainCore.Core ChainCore.Node ChainCore.Miner ChainCore.Wallet; do
  if [ -f "$p/$p.csproj" ]; then include="${include:+$include%2c}[$p]*"; fi
done

reports="$root/tests/reports"
rm -rf "$reports/coverage" "$reports/failures" "$reports"/{tests,performance}.{trx,html}
# This run's performance figures replace the last ones; their history (history.jsonl) stays.
rm -f "$reports"/performance/*.json
mkdir -p "$reports/coverage"

if [ -z "${CHAINCORE_TEST_PG:-}" ]; then
  echo "==> PostgreSQL server binaries"
  scripts/postgres.sh
fi
echo "==> Chromium (the dashboard's browser tests)"
scripts/chromium.sh

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
echo "==> Restoring tools and building"
dotnet tool restore >/dev/null
configuration="${CHAINCORE_CONFIGURATION:-Release}"
dotnet build ChainCore.sln -c "$configuration" -nologo -v quiet -clp:NoSummary
# The test assembly is also the small program the script's own steps run (settings, summary, baseline).
steps=(dotnet "ChainCore.Tests/bin/$configuration/net10.0/ChainCore.Tests.dll")

# The default selection is the settings file's TestCaseFilter. The test platform joins a command
# line's filter to it with "and", so any other selection runs with a copy of the file without it.
settings=testsettings.runsettings
case "$selection" in
  default) coverage_filter="Category!=Performance"; performance_filter="Category=Performance" ;;
  all) coverage_filter="Category!=Performance"; performance_filter="Category=Performance" ;;
  filter) coverage_filter="($filter)&Category!=Performance"; performance_filter="($filter)&Category=Performance" ;;
esac
if [ "$selection" != default ]; then
  settings="$reports/selection.runsettings"
  "${steps[@]}" runsettings-without-filter testsettings.runsettings "$settings"
fi

# A shard: the same selection, narrowed to this shard's fixtures (every runner computes the same split).
if [ -n "$shard" ]; then
  durations=()
  for trx in "$reports"/durations/*.trx; do [ -f "$trx" ] && durations+=("$trx"); done
  shard_filter=$("${steps[@]}" shard-filter "$shard" ${durations[@]+"${durations[@]}"})
  echo "==> Shard $shard: $(echo "$shard_filter" | tr '|' '\n' | wc -l) fixture(s), weighed by ${#durations[@]} earlier run(s)"
  coverage_filter="($coverage_filter)&($shard_filter)"
  performance_filter=""
fi

# Per-test lines ("Passed Name [12 ms]") as they finish; the stack traces of failures stay in full.
# Tests' own output stays in their results (trx, html) instead of interleaving with the progress lines.
progress() {
  grep --line-buffered -vE '^\s*$|^Results File:|^NUnit Adapter|^Running (all|selected) tests in|^A total of 1 test files matched|^No test matches the given testcase filter|^\s*NUnit3TestExecutor discovered 0 of 0|^\s*\[coverlet\] _mapping file name' || true
}
run_tests() { # NAME FILTER [dotnet test arguments...]
  local name="$1" selected="$2"
  shift 2
  dotnet test ChainCore.Tests -c "$configuration" --no-build --settings "$settings" --results-directory "$reports" \
    --logger "trx;LogFileName=$name.trx" --logger "html;LogFileName=$name.html" --logger "console;verbosity=normal" \
    --filter "$selected" "$@" ${extra[@]+"${extra[@]}"} -- NUnit.ConsoleOut=0
}

status=0
echo "==> Testing with coverage${filter:+ ($filter)}$([ "$selection" = all ] && echo ' (everything)'), Performance apart"
# coverlet.msbuild instruments the product assemblies in the test output for this pass and restores
# them after it; its per-module threshold is the gate (a filtered run covers only part: no gate).
coverage=(-p:CollectCoverage=true -p:CoverletOutputFormat=cobertura "-p:CoverletOutput=$reports/coverage/" "-p:Include=$include")
if [ "$selection" != filter ] && [ -z "$shard" ]; then
  coverage+=("-p:Threshold=$min_coverage" -p:ThresholdType=line -p:ThresholdStat=Minimum)
fi
CHAINCORE_COVERAGE=1 run_tests tests "$coverage_filter" "${coverage[@]}" | progress || status=${PIPESTATUS[0]}

if [ -n "$performance_filter" ]; then
  echo "==> Performance tests without coverage instrumentation"
  CHAINCORE_COVERAGE=0 run_tests performance "$performance_filter" | progress || status=${PIPESTATUS[0]}
fi

cobertura="$reports/coverage/coverage.cobertura.xml"
if [ -f "$cobertura" ]; then
  dotnet reportgenerator "-reports:$cobertura" "-targetdir:$reports/coverage/html" -reporttypes:Html >/dev/null || echo "coverage: HTML report failed" >&2
  echo "Line coverage per product assembly: the table above (gate: ${min_coverage} % each$([ "$selection" != filter ] && [ -z "$shard" ] || echo '; not applied to a filtered or sharded run'))"
  echo "HTML coverage report: $reports/coverage/html/index.html"
fi

# Performance figures measured in this run, against the committed baseline of ratios (a regression
# over its tolerance fails the run only when CHAINCORE_PERF_GATE=1, as in the nightly).
if ls "$reports"/performance/*.json >/dev/null 2>&1; then
  echo
  perf_args=(compare-performance tests/baselines/performance.json "$reports/performance")
  if [ "${CHAINCORE_PERF_GATE:-0}" = "1" ]; then perf_args+=(--fail-on-regression); fi
  "${steps[@]}" "${perf_args[@]}" || { echo "performance: regression against tests/baselines/performance.json" >&2; status=1; }
fi

# The html reports show a failed test's message as text: its timeline's address becomes a link.
if [ -d "$reports/failures" ]; then "${steps[@]}" link-evidence "$reports/tests.html" "$reports/performance.html" || echo "link-evidence: the html reports keep the timelines' addresses as text" >&2; fi

echo "Reports: $reports (tests.trx, tests.html, performance.trx and .html when Performance tests ran, coverage/, failures/ when a test failed)"
if [ -d "$reports/failures" ]; then echo "Evidence of failed tests: $reports/failures"; fi
if ! "${steps[@]}" summarize-tests "$reports/tests.trx" "$reports/performance.trx"; then
  echo "test: NO TEST RAN${filter:+: the filter '$filter' selects no test}" >&2
  status=1
fi
exit "$status"
