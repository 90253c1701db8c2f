using ChainCore.Tests.Harness.Postgres;

namespace ChainCore.Tests.Harness;

/// <summary>
/// The test assembly run as a program (<c>dotnet ChainCore.Tests.dll COMMAND</c>), for harness tests
/// that need a second process: one that owns a throwaway cluster and can be killed, or a second run id.
/// </summary>
public static class ChildProcessProgram
{
    public static async Task<int> Main(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        switch (args.FirstOrDefault())
        {
            case "start-cluster":
                // Starts a cluster owned by this process, says where, and lives until it is killed.
                var server = await PostgresServer.FindOrStartAsync(null, CancellationToken.None);
                await Console.Out.WriteLineAsync($"cluster {server.Cluster!.Directory} {server.Cluster.Port} {server.Cluster.WatchdogPid}");
                await Console.Out.FlushAsync();
                await Task.Delay(Timeout.Infinite);
                return 0;
            case "start-node" when args.Length == 2:
                // Starts a node process owned by this process, says its pid, and lives until it is killed.
                var node = AppProcess.Start("node", "ChainCore.Node", ["--network", "regtest", "--api-port", "0", "--data-dir", args[1]]);
                await Console.Out.WriteLineAsync($"node {node.Id}");
                await Console.Out.FlushAsync();
                await Task.Delay(Timeout.Infinite);
                return 0;
            case "interrupt-node" when args.Length == 2:
                // Starts a node, stops it as Ctrl-C would once it has started, and says how it ended:
                // run with SIGINT ignored, this process is a test run started in the background.
                return await InterruptNodeAsync(args[1]);
            case "timeout-factor":
                await Console.Out.WriteLineAsync(Timeouts.Factor.ToString(System.Globalization.CultureInfo.InvariantCulture));
                return 0;
            case "compare-performance" when args.Length >= 3:
                // compare-performance BASELINE DIR [--fail-on-regression | --update]
                if (args.Contains("--update"))
                {
                    var previous = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(args[1]))!.AsObject();
                    await File.WriteAllTextAsync(args[1], PerformanceBaseline.Update(previous, PerformanceBaseline.ReadLatest(args[2]), PerformanceBaseline.ReadConditions(args[2]) is [var measured, ..] ? measured : null) + Environment.NewLine);
                    await Console.Out.WriteLineAsync($"updated {args[1]}");
                    return 0;
                }

                return PerformanceBaseline.Run(args[1], args[2], args.Contains("--fail-on-regression"), Console.Out);
            case "summarize-tests" when args.Length >= 2:
                // summarize-tests TRX... : the slowest tests and the counts of scripts/test.sh's last lines.
                return TestRunSummary.Read(args.Skip(1)).Print(Console.Out);
            case "link-evidence" when args.Length >= 2:
                // link-evidence HTML... : failed tests' timeline addresses made links in html test reports.
                foreach (var report in args.Skip(1).Where(File.Exists))
                {
                    Timeline.ReportLinks.LinkTimelinesIn(report);
                }

                return 0;
            case "runsettings-without-filter" when args.Length == 3:
                // runsettings-without-filter SOURCE DESTINATION : scripts/test.sh's settings for a selection other than the default.
                RunSettingsFile.WriteWithoutTestCaseFilter(args[1], args[2]);
                return 0;
            case "runsettings-filter" when args.Length == 2:
                // runsettings-filter SOURCE : the settings file's TestCaseFilter, the default selection (scripts/mutation.sh's second pass).
                await Console.Out.WriteLineAsync(RunSettingsFile.TestCaseFilter(args[1]) ?? "");
                return 0;
            case "mutation-rest" or "mutation-scores":
                // scripts/mutation.sh's second pass and its score table (MutationReport says how).
                return MutationReport.Run(args, Console.Out);
            case "shard-filter" when args.Length >= 2:
                // shard-filter K/N [TRX...] : the test filter of the nightly's shard K of N, weighed by earlier runs' durations.
                return TestShards.Run(args[1..], Console.Out, Console.Error);
            case "run-id":
                await Console.Out.WriteLineAsync(TestEnvironment.RunId);
                return 0;
            default:
                await Console.Error.WriteLineAsync("usage: ChainCore.Tests start-cluster | start-node DATA_DIR | interrupt-node DATA_DIR | run-id | timeout-factor | compare-performance BASELINE DIR [--fail-on-regression|--update] | summarize-tests TRX... | link-evidence HTML... | runsettings-without-filter SOURCE DESTINATION | runsettings-filter SOURCE | mutation-rest FIRST.json BASE-CONFIG.json FILTER OUT.json | mutation-scores THRESHOLD FOLDER,… FIRST.json [SECOND.json] | shard-filter K/N [TRX...]");
                return 2;
        }
    }

    private static async Task<int> InterruptNodeAsync(string dataDir)
    {
        await using var node = AppProcess.Start("node", "ChainCore.Node", ["--network", "regtest", "--api-port", "0", "--data-dir", dataDir]);
        await Waits.WaitUntilAsync(
            () => node.HasExited || node.Lines.Any(l => l.Contains(" started: ", StringComparison.Ordinal)),
            () => node.ToString(),
            TimeSpan.FromSeconds(60));
        var exitCode = await node.StopAsync(TimeSpan.FromSeconds(10), interrupt: true);
        await Console.Out.WriteLineAsync($"exit {exitCode.ToString(System.Globalization.CultureInfo.InvariantCulture)}, SIGINT ignored here: {IgnoresInterrupt()}");
        return 0;
    }

    // Linux's record of this process's ignored signals (a hexadecimal mask; SIGINT is signal 2).
    private static bool IgnoresInterrupt()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return (ulong.Parse(line["SigIgn:".Length..].Trim(), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture) & 0b10) != 0;
    }
}
