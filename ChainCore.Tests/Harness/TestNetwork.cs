using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using ChainCore.Core.Api;
using ChainCore.Node.Network;
using ChainCore.Tests.Harness.Timeline;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace ChainCore.Tests.Harness;

public sealed record TestNetworkOptions
{
    public StoreKind Store { get; init; } = StoreKind.Postgres;

    public int CoinbaseMaturity { get; init; } = 1;

    /// <summary>Off by default so that the topology stays what the test asked for.</summary>
    public bool PeerExchange { get; init; }

    public TimeSpan TipCheckInterval { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan BanDuration { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Settings every node gets on top of the network's (<c>P2p:…</c>, <c>Node:…</c>).</summary>
    public IReadOnlyDictionary<string, string?> Extra { get; init; } = new Dictionary<string, string?>();
}

/// <summary>
/// Several nodes in the test process, as Bitcoin Core's functional test framework has them: nodes
/// <c>node-0…</c>, each on its own database, whose peer traffic goes through their named P2P client
/// and is routed in memory (<see cref="InMemoryPeerRouter"/>) — so links can be cut, delayed and
/// healed. One <see cref="FakeTimeProvider"/> is every node's clock: chain time and the nodes' tip
/// checks move only when the test says so (<see cref="TickAsync"/>). Every wait is bounded (scaled by
/// the runsettings' TimeoutFactor) and fails with every node's tip, height, peers and mempool. Every
/// node and the test write into one <see cref="MergedLog"/>. Disposing stops every node, pass or fail.
/// </summary>
public sealed class TestNetwork : IAsyncDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private readonly TestNetworkOptions _options;
    private readonly TestNode?[] _nodes;
    private readonly TestWallet[] _wallets;
    private readonly string _sqliteRoot;
    private bool _disposed;

    private TestNetwork(int count, TestNetworkOptions options)
    {
        _options = options;
        _nodes = new TestNode?[count];
        _wallets = [.. Enumerable.Range(0, count).Select(_ => Wallets.NewWallet())];
        _sqliteRoot = Path.Combine(TestEnvironment.ScratchDirectory, "net-" + Guid.NewGuid().ToString("N"));
        Clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
        Timeline = new TimelineRecorder(Log);
        for (var i = 0; i < count; i++)
        {
            Timeline.AddLane(NameOf(i));
        }
    }

    /// <summary>Every node's clock. (SQLite data stays in the run's scratch folder, which the run removes, so a failed test can keep it.)</summary>
    public FakeTimeProvider Clock { get; }

    public InMemoryPeerRouter Router { get; } = new();

    /// <summary>The test's one log: every node writes into it, prefixed with its name; <see cref="Note"/> adds the test's own steps.</summary>
    public TestLog Log { get; } = new(200_000);

    /// <summary>A line from the test in the merged log, so that it reads as a story.</summary>
    public void Note(string message) => Log.Write("test", Microsoft.Extensions.Logging.LogLevel.Information, "Test", message);

    /// <summary>A step of the test: a line in the merged log, as <see cref="Note"/>, and a step mark on the timeline's test lane.</summary>
    public void Step(string message) => Log.Write("test", Microsoft.Extensions.Logging.LogLevel.Information, TimelineRecorder.StepCategory, message);

    /// <summary>What a failed test's timeline draws (kept in its evidence by <see cref="FailureEvidence"/>): a lane per node and miner, the test's steps.</summary>
    public TimelineRecorder Timeline { get; }

    private readonly Dictionary<int, IDisposable> _watches = [];

    public int Count => _nodes.Length;

    /// <summary>The nodes by number; a stopped node's entry is its last instance (see <see cref="IsRunning"/>).</summary>
    public IReadOnlyList<TestNode> Nodes => [.. _nodes.Select((n, i) => n ?? throw new InvalidOperationException($"node-{i} was never started."))];

    public TestNode this[int index] => _nodes[index] is { } node && IsRunning(index) ? node : throw new InvalidOperationException($"node-{index} is not running.");

    /// <summary>The wallet node <paramref name="index"/>'s blocks pay (<see cref="MineAsync"/>).</summary>
    public TestWallet Wallet(int index) => _wallets[index];

    public bool IsRunning(int index) => _running.Contains(index);

    private readonly HashSet<int> _running = [];

    public static string NameOf(int index) => $"node-{index}";

    public static string UrlOf(int index) => $"http://{NameOf(index)}";

    /// <summary>Slots each node has: enough for the topology's links, and at least a node's defaults (8 out, 8 in) with room for test peers.</summary>
    private (int Outbound, int Inbound) _slots = (8, 16);

    public static async Task<TestNetwork> StartAsync(int nodes, Topology? topology = null, TestNetworkOptions? options = null)
    {
        topology ??= Topology.Line;
        ArgumentOutOfRangeException.ThrowIfLessThan(nodes, 1);
        var network = new TestNetwork(nodes, options ?? new TestNetworkOptions());
        var edges = Edges(nodes, topology);
        var outDegree = edges.GroupBy(e => e.B).Select(g => g.Count()).DefaultIfEmpty(0).Max();
        var inDegree = edges.GroupBy(e => e.A).Select(g => g.Count()).DefaultIfEmpty(0).Max();
        network._slots = (Math.Max(8, outDegree + 1), Math.Max(8, inDegree) + 8);
        try
        {
            network.Note($"Starting {nodes} nodes, topology {topology}, store {network._options.Store}");
            for (var i = 0; i < nodes; i++)
            {
                var bootstrap = Edges(nodes, topology).Where(e => e.B == i).Select(e => UrlOf(e.A));
                await network.StartNodeAsync(i, reset: true, bootstrap);
            }

            // A link not up within a second of wall time (a handshake that timed out on a loaded
            // machine, hundreds of nodes starting at once) gets what a real network's passing time
            // gives it: the clock ticks, the dialling node retries on its tip check, and an address
            // the other side could not confirm leaves its backoff. With the clock stopped, a first
            // attempt that failed would never be retried. The wait fails when no link has come up for
            // the whole timeout: a thousand nodes on two cores come up slowly but steadily, while a
            // link that cannot come up stops all progress once the others are up.
            var links = Edges(nodes, topology);
            var missing = links.Where(e => !network.AreConnected(e.A, e.B)).ToList();
            while (missing.Count > 0)
            {
                var before = missing.Count;
                try
                {
                    await network.WaitUntilTickingAsync(
                        () =>
                        {
                            missing = [.. links.Where(e => !network.AreConnected(e.A, e.B))];
                            return missing.Count < before;
                        },
                        $"one more of the {before} links not up yet to come up (the first: {NameOf(missing[0].A)} and {NameOf(missing[0].B)} to be connected)");
                }
                catch (WaitTimeoutException)
                {
                    // What the two of the first missing link said of each other: the refusal, ban or timeout that kept them apart.
                    var (a, b) = missing[0];
                    var names = (new Regex($@"\b{NameOf(a)}\b"), new Regex($@"\b{NameOf(b)}\b"));
                    var between = network.Log.Lines.Where(l => names.Item1.IsMatch(l) && names.Item2.IsMatch(l)).TakeLast(40).ToList();
                    await TestContext.Out.WriteLineAsync($"Links still down: {string.Join(", ", missing.Take(20).Select(e => $"{NameOf(e.A)} – {NameOf(e.B)}"))}{(missing.Count > 20 ? $" and {missing.Count - 20} more" : string.Empty)}");
                    await TestContext.Out.WriteLineAsync($"Log lines naming both {NameOf(a)} and {NameOf(b)} ({between.Count}):{Environment.NewLine}{string.Join(Environment.NewLine, between)}");
                    throw;
                }
            }

            return network;
        }
        catch
        {
            await network.DisposeAsync();
            throw;
        }
    }

    /// <summary>The links of a topology, each once with the lower number first.</summary>
    public static IReadOnlyList<(int A, int B)> Edges(int nodes, Topology topology) => topology.Edges(nodes);

    private readonly Dictionary<int, string[]> _bootstrap = [];

    private async Task<TestNode> StartNodeAsync(int index, bool reset, IEnumerable<string>? bootstrap = null)
    {
        var name = NameOf(index);
        if (bootstrap is not null)
        {
            _bootstrap[index] = [.. bootstrap];
        }

        var storage = await NodeStorage.ProvideAsync(_options.Store, index, name, _sqliteRoot, reset);

        var extra = new Dictionary<string, string?>
        {
            ["Node:PublicUrl"] = UrlOf(index),
            ["Node:BootstrapNodes"] = string.Join(',', _bootstrap.GetValueOrDefault(index, [])),
            ["P2p:PeerExchange"] = _options.PeerExchange ? "true" : "false",
            ["P2p:TipCheckInterval"] = _options.TipCheckInterval.ToString("c", CultureInfo.InvariantCulture),
            ["P2p:BanDuration"] = _options.BanDuration.ToString("c", CultureInfo.InvariantCulture),
            ["P2p:RequestTimeout"] = TestEnvironment.Scaled(TimeSpan.FromSeconds(10)).ToString("c", CultureInfo.InvariantCulture),
            ["P2p:ConnectTimeout"] = TestEnvironment.Scaled(TimeSpan.FromSeconds(10)).ToString("c", CultureInfo.InvariantCulture),
            ["P2p:Retries"] = "1",
            ["P2p:RetryDelay"] = "00:00:00.020",
            ["P2p:MaxOutbound"] = _slots.Outbound.ToString(CultureInfo.InvariantCulture),
            ["P2p:MaxPeers"] = (_slots.Outbound + _slots.Inbound).ToString(CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in _options.Extra)
        {
            extra[key] = value;
        }

        Note(reset ? $"Starting {name}" : $"Restarting {name} on its own database");
        var node = await TestNode.StartAsync(new NodeSettings
        {
            NodeId = name,
            Database = storage.Database,
            DataDir = storage.DataDir,
            CoinbaseMaturity = _options.CoinbaseMaturity,
            Clock = Clock,
            PeerHandler = () => Router.HandlerFor(name),
            Log = Log,
            Extra = extra,
        });
        _nodes[index] = node;
        lock (_running)
        {
            _running.Add(index);
        }

        Timeline.NodeStarted(name, restarted: !reset);
        _watches[index] = Timeline.Watch(name, node.Engine.Events);

        Router.Register(name, node.CreateServerHandler);
        return node;
    }

    /// <summary>Stops node <paramref name="index"/> (its database stays); peers see it as unreachable.</summary>
    public async Task StopNodeAsync(int index)
    {
        Note($"Stopping {NameOf(index)}");
        Timeline.NodeStopped(NameOf(index));
        if (_watches.Remove(index, out var watch))
        {
            watch.Dispose();
        }

        Router.Unregister(NameOf(index));
        lock (_running)
        {
            _running.Remove(index);
        }

        if (_nodes[index] is { } node)
        {
            await node.DisposeAsync();
        }
    }

    /// <summary>Starts node <paramref name="index"/> again on its own database; it reconnects by itself (bootstrap list and stored peers).</summary>
    public Task<TestNode> RestartNodeAsync(int index) =>
        IsRunning(index) ? throw new InvalidOperationException($"{NameOf(index)} is running.") : StartNodeAsync(index, reset: false);

    /// <summary>Mines <paramref name="blocks"/> blocks on node <paramref name="node"/> (paying <see cref="Wallet"/>) and, unless told not to, waits until every running node has them.</summary>
    public async Task<IReadOnlyList<MineBlockResponse>> MineAsync(int node, int blocks = 1, bool sync = true)
    {
        Note($"Mining {blocks} block(s) on {NameOf(node)}");
        var mined = await this[node].MineAsync(blocks, Wallet(node).Address.ToString());
        foreach (var block in mined)
        {
            Timeline.BlockMined(NameOf(node), block.Hash, block.Height);
        }

        if (sync)
        {
            await WaitForSyncAsync();
        }

        return mined;
    }

    private readonly List<TestMiner> _miners = [];

    /// <summary>Attaches an in-process miner to node <paramref name="node"/>, paying <see cref="Wallet"/>(<paramref name="node"/>); it mines until stopped or the network is disposed.</summary>
    public TestMiner AttachMiner(int node, int workers = 1)
    {
        Note($"Attaching miner-{node} to {NameOf(node)} ({workers} worker(s))");
        Timeline.AddLane($"miner-{node}");
        var miner = new TestMiner(this, node, Wallet(node), workers);
        _miners.Add(miner);
        return miner;
    }

    /// <summary>Waits until every running node (or those given) has the same tip and the same mempool.</summary>
    public Task WaitForSyncAsync(IReadOnlyCollection<int>? nodes = null, TimeSpan? timeout = null)
    {
        var group = nodes ?? Running();
        return WaitUntilAsync(() => InSync(group), $"nodes {string.Join(", ", group.Select(NameOf))} to share one tip and one mempool", timeout);
    }

    /// <summary>Waits until the given nodes share a tip (mempools may differ).</summary>
    public Task WaitForSameTipAsync(IReadOnlyCollection<int>? nodes = null, TimeSpan? timeout = null)
    {
        var group = nodes ?? Running();
        return WaitUntilAsync(() => group.Select(i => this[i].TipHash).Distinct().Count() == 1, $"nodes {string.Join(", ", group.Select(NameOf))} to share one tip", timeout);
    }

    private bool InSync(IReadOnlyCollection<int> group)
    {
        var tips = group.Select(i => this[i].TipHash).Distinct().Count();
        var mempools = group.Select(i => string.Join(',', this[i].Mempool.Snapshot().Select(e => e.TxId.ToString()).Order(StringComparer.Ordinal))).Distinct().Count();
        return tips == 1 && mempools == 1;
    }

    /// <summary>
    /// As <see cref="WaitUntilAsync(Func{bool}, string, TimeSpan?)"/>, ticking the shared clock once a second
    /// of wall time meanwhile: for what the nodes do by themselves on their tip checks (reconnecting,
    /// noticing a session the other side forgot, catching up).
    /// </summary>
    public Task WaitUntilTickingAsync(Func<bool> condition, string description, TimeSpan? timeout = null)
    {
        var sinceTick = Stopwatch.StartNew();
        return WaitUntilAsync(
            async () =>
            {
                if (condition())
                {
                    return true;
                }

                if (sinceTick.Elapsed >= TimeSpan.FromSeconds(1))
                {
                    await TickAsync();
                    sinceTick.Restart();
                }

                return false;
            },
            description + " (the clock ticking once a second)",
            timeout);
    }

    public Task WaitUntilAsync(Func<bool> condition, string description, TimeSpan? timeout = null) =>
        WaitUntilAsync(() => Task.FromResult(condition()), description, timeout);

    /// <summary>Polls <paramref name="condition"/> until it holds; after the (scaled) timeout, fails with every node's state.</summary>
    public async Task WaitUntilAsync(Func<Task<bool>> condition, string description, TimeSpan? timeout = null)
    {
        try
        {
            await Waits.WaitUntilAsync(condition, () => Task.FromResult(Environment.NewLine + Describe()), timeout ?? DefaultTimeout, Timeouts.Factor, CancellationToken.None, description);
        }
        catch (WaitTimeoutException e)
        {
            Note(e.Message);
            throw;
        }
    }

    /// <summary>Node <paramref name="a"/> connects to node <paramref name="b"/> (the link comes up first); waits until both see each other.</summary>
    public async Task ConnectAsync(int a, int b)
    {
        Note($"Connecting {NameOf(a)} to {NameOf(b)}");
        Router.SetDown(NameOf(a), NameOf(b), down: false);
        await Peers(a).ConnectAsync(UrlOf(b), CancellationToken.None);
        await WaitUntilConnectedAsync(a, b);
    }

    /// <summary>Takes the link down and both nodes drop each other (they reconnect by themselves once the link is up and the clock ticks).</summary>
    public void Disconnect(int a, int b)
    {
        Note($"Disconnecting {NameOf(a)} and {NameOf(b)}");
        Router.SetDown(NameOf(a), NameOf(b), down: true);
        if (IsRunning(a))
        {
            Peers(a).Disconnect(UrlOf(b), "disconnected by the test");
        }

        if (IsRunning(b))
        {
            Peers(b).Disconnect(UrlOf(a), "disconnected by the test");
        }
    }

    /// <summary>Cuts every link between the groups (nodes in no group are cut from all of them).</summary>
    public void Partition(params int[][] groups)
    {
        ArgumentNullException.ThrowIfNull(groups);
        Note($"Partition: {string.Join(" | ", groups.Select(g => string.Join(", ", g.Select(NameOf))))}");
        Timeline.Partition(groups.Select(g => g.Select(NameOf)));
        var groupOf = new Dictionary<int, int>();
        for (var g = 0; g < groups.Length; g++)
        {
            foreach (var i in groups[g])
            {
                groupOf[i] = g;
            }
        }

        for (var a = 0; a < Count; a++)
        {
            for (var b = a + 1; b < Count; b++)
            {
                if (groupOf.GetValueOrDefault(a, -1 - a) != groupOf.GetValueOrDefault(b, -1 - b))
                {
                    Disconnect(a, b);
                }
            }
        }
    }

    /// <summary>Every link up and without delay, then one tick of the clock: the nodes reconnect and re-check tips by themselves.</summary>
    public async Task HealAsync()
    {
        Note("Healing every link");
        Router.Reset();
        Timeline.Healed();
        await TickAsync();
    }

    /// <summary>Makes the link fail (connections stay until a call fails), or brings it back.</summary>
    public void DropLink(int a, int b, bool dropped = true)
    {
        Note($"{(dropped ? "Dropping" : "Restoring")} the link {NameOf(a)} – {NameOf(b)}");
        Router.SetDown(NameOf(a), NameOf(b), dropped);
    }

    /// <summary>Every call on the link waits <paramref name="delay"/> (zero removes it).</summary>
    public void DelayLink(int a, int b, TimeSpan delay)
    {
        Note($"Delaying the link {NameOf(a)} – {NameOf(b)} by {delay.TotalMilliseconds} ms");
        Router.SetDelay(NameOf(a), NameOf(b), delay);
    }

    /// <summary>Advances the shared clock by the tip-check interval: every node checks its peers' tips and reconnects to known peers.</summary>
    public Task TickAsync(int ticks = 1)
    {
        for (var i = 0; i < ticks; i++)
        {
            Clock.Advance(_options.TipCheckInterval);
        }

        return Task.CompletedTask;
    }

    public ConnectionManager Peers(int index) => this[index].Services.GetRequiredService<ConnectionManager>();

    /// <summary>Whether node <paramref name="a"/> has a session with node <paramref name="b"/> (by the address it proved, never by name).</summary>
    public bool AreConnected(int a, int b) => IsRunning(a) && IsRunning(b) && Peers(a).FindByAddress(UrlOf(b)) is not null && Peers(b).FindByAddress(UrlOf(a)) is not null;

    public Task WaitUntilConnectedAsync(int a, int b) =>
        WaitUntilAsync(() => AreConnected(a, b), $"{NameOf(a)} and {NameOf(b)} to be connected");

    private List<int> Running()
    {
        lock (_running)
        {
            return [.. _running.Order()];
        }
    }

    /// <summary>Every node's tip, height, peers and mempool, one line each.</summary>
    public string Describe()
    {
        var text = new StringBuilder();
        for (var i = 0; i < Count; i++)
        {
            text.Append(NameOf(i)).Append(": ");
            if (!IsRunning(i) || _nodes[i] is not { } node)
            {
                text.AppendLine("stopped");
                continue;
            }

            try
            {
                var tip = node.Tip;
                var peers = Peers(i).Peers.Select(p => $"{p.NodeId} {(p.Direction == PeerDirection.Inbound ? "in" : "out")}");
                var mempool = node.Mempool.Snapshot().Select(e => e.TxId.ToString()[..12]).ToList();
                text.Append(CultureInfo.InvariantCulture, $"height {tip.Height}, tip {tip.Hash}, peers [{string.Join(", ", peers)}], mempool {mempool.Count}");
                if (mempool.Count > 0)
                {
                    text.Append(" [").Append(string.Join(", ", mempool.Take(10))).Append(mempool.Count > 10 ? ", …]" : "]");
                }

                text.AppendLine();
            }
            catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"unavailable ({e.Message})");
            }
        }

        return text.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Note("Stopping the network");
        var failures = new List<Exception>();
        foreach (var miner in _miners)
        {
            try
            {
                await miner.DisposeAsync();
            }
            catch (Exception e)
            {
                failures.Add(e);
            }
        }

        foreach (var i in Running())
        {
            Router.Unregister(NameOf(i));
        }

        foreach (var i in Running())
        {
            try
            {
                await StopNodeAsync(i);
            }
            catch (Exception e)
            {
                failures.Add(e);
            }
        }

        if (failures.Count > 0)
        {
            throw new AggregateException("Some nodes did not stop cleanly.", failures);
        }
    }
}
