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
            case "timeout-factor":
                await Console.Out.WriteLineAsync(Timeouts.Factor.ToString(System.Globalization.CultureInfo.InvariantCulture));
                return 0;
            case "run-id":
                await Console.Out.WriteLineAsync(TestEnvironment.RunId);
                return 0;
            default:
                await Console.Error.WriteLineAsync("usage: ChainCore.Tests start-cluster | run-id | timeout-factor");
                return 2;
        }
    }
}
