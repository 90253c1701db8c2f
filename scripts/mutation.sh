#!/usr/bin/env bash
# Mutation testing (Stryker.NET, from the tool manifest) of the code where a missed boundary costs
# most: ChainCore.Core's Consensus, Crypto and Serialization, and ChainCore.Node's Chain and Mempool,
# against the default run's tests (testsettings.runsettings' selection). Each project runs with its
# committed configuration (tests/mutation/stryker-config.*.json), with per-test coverage, so each
# mutant runs only the tests that reach it, in two passes:
#   1. every mutant against the default selection's unit tests, which run whole in about 20 seconds;
#   2. the mutants still alive (survived, or reached by no unit test) against the whole default
#      selection, Integration and E2E included, whose sessions start nodes, a PostgreSQL cluster and
#      processes, minutes each. A mutant the unit tests kill is killed by the default selection too (it
#      holds them), so the two passes give the default selection's score at a fraction of its cost.
#      When every folder of the project already scores the threshold under the unit tests, the second
#      pass could only raise the scores, not change the verdict: it is skipped, and the survivors listed
#      are the unit tests' (a superset of the default selection's). --both-passes runs it anyway.
# Reports go to tests/reports/mutation/<project>/{unit,default}/reports (mutation-report.html and
# .json); a table of the score per folder and the list of surviving mutants come last. A folder under
# the threshold (90 %, CHAINCORE_MUTATION_THRESHOLD) fails the run.
#
#   scripts/mutation.sh                     both projects, both passes
#   scripts/mutation.sh core|node           one of them
#   scripts/mutation.sh --unit-only         the first pass only (a quick look while writing tests)
#   scripts/mutation.sh --both-passes       the second pass even when the first already meets the threshold
#   scripts/mutation.sh core --mutate GLOB  only the files GLOB matches (while working on one folder)
#   scripts/mutation.sh --concurrency N     test sessions at once (default 2)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

projects=()
concurrency=2
mutate=()
unit_only=false
both_passes=false
while [ $# -gt 0 ]; do
  case "$1" in
    core|node) projects+=("$1"); shift ;;
    --mutate) mutate+=(--mutate "$2"); shift 2 ;;
    --concurrency) concurrency="$2"; shift 2 ;;
    --unit-only) unit_only=true; shift ;;
    --both-passes) both_passes=true; shift ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1' "$0"; exit 0 ;;
    *) echo "mutation: unknown argument '$1' (--help lists them)" >&2; exit 2 ;;
  esac
done
[ ${#projects[@]} -gt 0 ] || projects=(core node)
threshold="${CHAINCORE_MUTATION_THRESHOLD:-90}"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# Stryker's runs collect no coverlet coverage; the tests that check what the run says of it need to be told.
export CHAINCORE_COVERAGE=0
# The test platform kills a test host 100 ms after its session ends; one that has run nodes, clusters
# and processes takes longer to exit cleanly.
export VSTEST_TESTHOST_SHUTDOWN_TIMEOUT=30000
if [ "$unit_only" = false ]; then
  # The second pass runs Integration and E2E tests: what scripts/test.sh provisions, they need.
  if [ -z "${CHAINCORE_TEST_PG:-}" ]; then scripts/postgres.sh; fi
  scripts/chromium.sh
fi
dotnet tool restore >/dev/null
out="$root/tests/reports/mutation"
# The default selection, read from the settings file by the test assembly's own step.
dotnet build ChainCore.Tests -c Release -nologo -v quiet -clp:NoSummary
# The test assembly is also the small program of the script's own steps (the settings' filter, the
# second pass's mutants, the scores); its own code is not mutated.
steps=(dotnet ChainCore.Tests/bin/Release/net10.0/ChainCore.Tests.dll)
default_filter=$("${steps[@]}" runsettings-filter testsettings.runsettings)
[ -n "$default_filter" ] || { echo "mutation: testsettings.runsettings names no TestCaseFilter" >&2; exit 2; }
status=0
# Stryker finds the project under test among the test project's references, from its directory.
stryker() { (cd ChainCore.Tests && dotnet dotnet-stryker --concurrency "$concurrency" --skip-version-check "$@"); }
for project in "${projects[@]}"; do
  case "$project" in
    core) folders="ChainCore.Core/Consensus,ChainCore.Core/Crypto,ChainCore.Core/Serialization" ;;
    node) folders="ChainCore.Node/Chain,ChainCore.Node/Mempool" ;;
  esac
  rm -rf "${out:?}/$project"
  mkdir -p "$out/$project"
  echo "==> Mutation testing: $project, pass 1 of 2: the unit tests"
  stryker --config-file "$root/tests/mutation/stryker-config.$project.json" --output "$out/$project/unit" \
    --break-at 0 ${mutate[@]+"${mutate[@]}"} || status=1
  unit="$out/$project/unit/reports/mutation-report.json"
  if [ ! -f "$unit" ]; then echo "mutation: no report for $project" >&2; status=1; continue; fi
  second="$out/$project/default/reports/mutation-report.json"
  # Over some files only (--mutate), the folders without any mutant were not mutated, not failed.
  part=()
  [ ${#mutate[@]} -eq 0 ] || part=(--part)
  passes=2
  [ "$unit_only" = false ] || passes=1
  if [ "$passes" = 2 ] && [ "$both_passes" = false ] \
    && "${steps[@]}" mutation-scores ${part[@]+"${part[@]}"} "$threshold" "$folders" "$unit" >/dev/null; then
    echo "==> Every folder of $project scores at least $threshold % under the unit tests alone: the second pass could only raise that, and is skipped (--both-passes runs it)"
    passes=1
  fi
  if [ "$passes" = 2 ]; then
    rest=$("${steps[@]}" mutation-rest "$unit" "$root/tests/mutation/stryker-config.$project.json" "$default_filter" "$out/$project/rest.json") \
      || { echo "mutation: could not list the mutants the unit tests left for $project" >&2; status=1; continue; }
    if [ "$rest" -gt 0 ]; then
      echo "==> Mutation testing: $project, pass 2 of 2: the $rest mutants left, against the default selection ($default_filter)"
      stryker --config-file "$out/$project/rest.json" --output "$out/$project/default" --break-at 0 || status=1
      [ -f "$second" ] || { echo "mutation: no second-pass report for $project" >&2; status=1; }
    fi
  fi
  echo "==> Scores: $project"
  if [ "$passes" = 1 ]; then
    "${steps[@]}" mutation-scores ${part[@]+"${part[@]}"} "$threshold" "$folders" "$unit" || status=1
  else
    "${steps[@]}" mutation-scores ${part[@]+"${part[@]}"} "$threshold" "$folders" "$unit" "$second" || status=1
  fi
done

# Stryker leaves its mutated assembly in the test project's output: rebuild what ships, so the next
# test run tests the product and not the mutated copy.
echo "==> Rebuilding the unmutated assemblies"
dotnet build ChainCore.Tests -c Release -nologo -v quiet -clp:NoSummary --no-incremental >/dev/null
echo "Reports: $out/<project>/{unit,default}/reports/mutation-report.html (and .json)"
exit "$status"
