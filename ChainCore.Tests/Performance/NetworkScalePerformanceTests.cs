using System.Diagnostics;
using ChainCore.Core.Primitives;
using ChainCore.Tests.Harness;
using Npgsql;

namespace ChainCore.Tests.Performance;

/// <summary>
/// Hundreds of real nodes in the test process on a random network of degree 8: how long they take
/// to start, the memory and threads they take, what they cost while idle with the clock stopped,
/// and how long a block takes to reach every node. Figures are recorded, not asserted.
/// PostgreSQL stops at what one cluster's connections allow: the harness's throwaway cluster has
/// max_connections = 1000 (3 of them kept for superusers), and each node holds about three (its
/// store's pool, two of them at once while the node loads its chain and its peers, and the harness's
/// reset of its database: <c>pg_connections_per_node</c>, 3.04 at 100 nodes and 3.09 at 140 measured),
/// so about 320 nodes is the most one cluster serves.
/// </summary>
[TestFixture, Category("Performance"), Category("Network")]
public sealed class NetworkScalePerformanceTests : NetworkTestBase
{
    private const int Degree = 8;

    [TestCase(100, StoreKind.Sqlite)]
    [TestCase(500, StoreKind.Sqlite)]
    [TestCase(1000, StoreKind.Sqlite)]
    [TestCase(100, StoreKind.Postgres)]
    [TestCase(140, StoreKind.Postgres)]
    [ScaledTimeout(1_800_000)]
    public async Task A_block_reaches_every_node_of_a_random_network(int nodes, StoreKind store)
    {
        var blocks = 20;
        var seed = TestSeed.Current;
        var topology = Topology.Random(Degree, seed);
        var cpu = Process.GetCurrentProcess();
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        var threadsBefore = cpu.Threads.Count;

        var watch = Stopwatch.StartNew();
        var net = await StartNetworkAsync(nodes, topology, new TestNetworkOptions { Store = store });
        var startSeconds = watch.Elapsed.TotalSeconds;

        var heapMb = (GC.GetTotalMemory(forceFullCollection: true) - heapBefore) / 1e6;
        cpu.Refresh();
        var workingSetMb = cpu.WorkingSet64 / 1e6;
        var threads = cpu.Threads.Count - threadsBefore;
        var threadsBeforeIdle = ThreadTimes();
        var idleCpu = await IdleCpuShareAsync(cpu, TimeSpan.FromSeconds(3));
        var threadsAfterIdle = ThreadTimes();
        var idleCpuButJit = IdleCpuShareBut(".NET Tiered Com", threadsBeforeIdle, threadsAfterIdle, TimeSpan.FromSeconds(3));
        await TestContext.Out.WriteLineAsync(DescribeThreads(threadsBeforeIdle, threadsAfterIdle));
        var connections = store == StoreKind.Postgres ? await PostgresConnectionsAsync() : 0;

        var random = TestSeed.NewRandom(stream: 2);
        var reachAll = new List<double>(blocks);
        var arrivals = new List<double>(blocks * nodes);
        for (var b = 0; b < blocks; b++)
        {
            var miner = random.Next(nodes);
            var mined = await net[miner].MineAsync(1, net.Wallet(miner).Address.ToString());
            var clock = Stopwatch.StartNew();
            var hash = Hash256.Parse(mined[0].Hash);
            using var limit = new CancellationTokenSource(Timeouts.Scale(TimeSpan.FromSeconds(120)));
            var reached = await Task.WhenAll(Enumerable.Range(0, nodes).Select(i => ArrivalAsync(net[i], hash, clock, limit.Token)));
            arrivals.AddRange(reached);
            reachAll.Add(reached.Max());
        }

        var figures = new Dictionary<string, double>
        {
            ["nodes"] = nodes,
            ["degree"] = Degree,
            ["start_s"] = startSeconds,
            ["start_per_node_ms"] = startSeconds * 1000 / nodes,
            ["heap_mb"] = heapMb,
            ["heap_per_node_mb"] = heapMb / nodes,
            ["working_set_mb"] = workingSetMb,
            ["threads_added"] = threads,
            ["idle_cpu_share"] = idleCpu,
            ["idle_cpu_share_but_jit"] = idleCpuButJit,
            ["console_logger_threads"] = threadsAfterIdle.Values.Count(t => t.Name.StartsWith("Console logger", StringComparison.Ordinal)),
            ["reach_all_p50_ms"] = Percentile(reachAll, 0.50),
            ["reach_all_p95_ms"] = Percentile(reachAll, 0.95),
            ["arrival_p50_ms"] = Percentile(arrivals, 0.50),
            ["arrival_p95_ms"] = Percentile(arrivals, 0.95),
            ["blocks"] = blocks,
            ["inotify_instances"] = InotifyInstances(),
            ["seed"] = seed,
        };
        if (store == StoreKind.Postgres)
        {
            figures["pg_connections"] = connections;
            figures["pg_connections_per_node"] = (double)connections / nodes;
        }

        PerformanceReport.Record(
            $"network-scale-{nodes}-random-{Degree}-{store.ToString().ToLowerInvariant()}",
            figures,
            "in process, routed in memory, clock stopped; start: every node started and connected; heap: managed heap after start less before; "
            + "reach_all: from the miner's acceptance until every node's tip is the block (over blocks); arrival: each node's time (over nodes and blocks); idle_cpu_share: CPU time over wall time, all cores, for 3 s idle (but_jit: without the JIT's tiered compilation thread, which catches up with the code start-up ran)");
    }

    /// <summary>How long after <paramref name="since"/> started the node's tip became <paramref name="hash"/>.</summary>
    private static async Task<double> ArrivalAsync(TestNode node, Hash256 hash, Stopwatch since, CancellationToken ct)
    {
        var chain = node.Engine;
        // The tip is read once per turn: read again as the argument, a block arriving between the
        // check and the call would be the tip the wait waits to change from, and it would never return.
        var tip = chain.Tip.Hash;
        while (tip != hash)
        {
            try
            {
                await chain.WaitForTipChangeAsync(tip, ct);
                tip = chain.Tip.Hash;
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"{node.NodeId} did not get block {hash} in time: its tip is {chain.Tip.Height} {chain.Tip.Hash}");
            }
        }

        return since.Elapsed.TotalMilliseconds;
    }

    /// <summary>CPU time the process spent over <paramref name="period"/> of wall time, as a share of one core: near zero when no node spins while idle.</summary>
    private static async Task<double> IdleCpuShareAsync(Process process, TimeSpan period)
    {
        process.Refresh();
        var before = process.TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        // A measurement window, not a wait for something to happen: the clock is stopped and no one mines.
        await Task.Delay(period);

        process.Refresh();
        return (process.TotalProcessorTime - before).TotalSeconds / watch.Elapsed.TotalSeconds;
    }

    /// <summary>Each native thread's name and CPU ticks (Linux /proc; .NET gives a named thread's name to its native thread).</summary>
    private static Dictionary<string, (string Name, long Ticks)> ThreadTimes()
    {
        var threads = new Dictionary<string, (string, long)>();
        const string tasks = "/proc/self/task";
        if (!Directory.Exists(tasks))
        {
            return threads;
        }

        foreach (var task in Directory.EnumerateDirectories(tasks))
        {
            try
            {
                var name = File.ReadAllText(Path.Combine(task, "comm")).Trim();
                var stat = File.ReadAllText(Path.Combine(task, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                threads[Path.GetFileName(task)] = (name, long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture));
            }
            catch (IOException)
            {
                // The thread ended while being read.
            }
        }

        return threads;
    }

    /// <summary>CPU time of every thread but those named <paramref name="excluded"/> between two readings, over wall time (ticks of 1/100 s, Linux's USER_HZ).</summary>
    private static double IdleCpuShareBut(string excluded, Dictionary<string, (string Name, long Ticks)> before, Dictionary<string, (string Name, long Ticks)> after, TimeSpan period) =>
        after.Where(t => t.Value.Name != excluded).Sum(t => t.Value.Ticks - before.GetValueOrDefault(t.Key).Ticks) / 100.0 / period.TotalSeconds;

    /// <summary>Threads by name, and those that used the CPU between the two readings: what a node costs that grows with the node count, and what spins while idle.</summary>
    private static string DescribeThreads(Dictionary<string, (string Name, long Ticks)> before, Dictionary<string, (string Name, long Ticks)> after)
    {
        var byName = after.Values.GroupBy(t => t.Name).OrderByDescending(g => g.Count()).Select(g => $"{g.Key} ×{g.Count()}");
        var busy = after.Where(t => t.Value.Ticks - before.GetValueOrDefault(t.Key).Ticks > 0).GroupBy(t => t.Value.Name)
            .Select(g => (Name: g.Key, Ticks: g.Sum(t => t.Value.Ticks - before.GetValueOrDefault(t.Key).Ticks))).OrderByDescending(g => g.Ticks).Take(8);
        return $"threads: {string.Join(", ", byName)}{Environment.NewLine}busy while idle (CPU ticks): {string.Join(", ", busy.Select(b => $"{b.Name} {b.Ticks}"))}";
    }

    private static async Task<int> PostgresConnectionsAsync()
    {
        var server = await TestEnvironment.GetServerAsync();
        await using var connection = new NpgsqlConnection(server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'", connection);
        return Convert.ToInt32(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture) - 1;
    }

    /// <summary>inotify instances this process holds (Linux); each configuration file watcher takes one, and a user has 128.</summary>
    private static int InotifyInstances()
    {
        const string fds = "/proc/self/fd";
        if (!Directory.Exists(fds))
        {
            return -1;
        }

        var count = 0;
        foreach (var fd in Directory.EnumerateFileSystemEntries(fds))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget == "anon_inode:inotify")
                {
                    count++;
                }
            }
            catch (IOException)
            {
                // The descriptor closed while being read.
            }
        }

        return count;
    }

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[(int)Math.Min(sorted.Count - 1, Math.Ceiling(p * sorted.Count) - 1)];
    }
}
