using System.Globalization;
using System.Numerics;
using System.Text;
using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;
using ChainCore.Node.Storage;
using ChainCore.Tests.Fixtures;

namespace ChainCore.Tests.Harness.Chaos;

/// <summary>How a chaos run went: the steps it ran and, if it failed, the broken invariant (with every node's state).</summary>
public sealed record ChaosOutcome(int Seed, IReadOnlyList<ChaosStep> Steps, string? Failure)
{
    public bool Failed => Failure is not null;
}

public sealed record ChaosOptions
{
    public int Nodes { get; init; } = 3;

    public StoreKind Store { get; init; } = StoreKind.Sqlite;

    /// <summary>Plants the defect the checker must find: reorgs drop the transactions of disconnected blocks.</summary>
    public bool PlantDefect { get; init; }
}

/// <summary>
/// Drives a <see cref="TestNetwork"/> through a chaos schedule (Jepsen's generator and checker, in the
/// spirit of FoundationDB's simulation: one seed decides every step) and checks invariants after every
/// step — no routed call answered 5xx, no error-level log line, each running node's coins equal the
/// subsidies of its active chain — and at the end, after healing, restarting every node and a quiet
/// period: every node on one tip, which has the most work of any valid block any node holds; no
/// transaction any node accepted lost (confirmed, in every mempool, or conflicted by a confirmed one);
/// each store equal to a replay of its active chain. A failing schedule replays exactly and shrinks
/// (<see cref="ShrinkAsync"/>) to a short one printed as a ready-to-paste NUnit test.
/// </summary>
public sealed class ChaosRun
{
    private readonly TestNetwork _net;
    private readonly ChaosOptions _options;
    private readonly List<Transaction> _accepted = [];
    private readonly HashSet<Hash256> _mined = [];
    private readonly StringBuilder _story = new();
    private int _strangers;

    private ChaosRun(TestNetwork net, ChaosOptions options)
    {
        _net = net;
        _options = options;
    }

    /// <summary>Runs <paramref name="steps"/> on a network <paramref name="start"/> gives (the caller disposes it); a broken invariant is the outcome's failure, not an exception.</summary>
    public static async Task<ChaosOutcome> RunAsync(int seed, IReadOnlyList<ChaosStep> steps, ChaosOptions options, Func<Task<TestNetwork>> start)
    {
        ArgumentNullException.ThrowIfNull(steps);
        ArgumentNullException.ThrowIfNull(start);
        var net = await start();
        var run = new ChaosRun(net, options);
        foreach (var i in Enumerable.Range(0, net.Count))
        {
            net[i].Engine.PlantedDefectDropsDisconnectedTransactions = options.PlantDefect;
        }

        for (var i = 0; i < steps.Count; i++)
        {
            net.Step($"Chaos step {i + 1}/{steps.Count}: {steps[i]}");
            run._story.AppendLine(CultureInfo.InvariantCulture, $"{i + 1,3}. {steps[i]}");
            string? failure;
            try
            {
                await run.ApplyAsync(steps[i]);
                failure = await run.CheckStepAsync();
            }
            catch (Exception e) when (e is WaitTimeoutException or InvalidOperationException or HttpRequestException)
            {
                failure = $"the step failed: {e.Message}";
            }

            if (failure is not null)
            {
                return run.Fail(seed, steps, $"after step {i + 1} ({steps[i]}): {failure}");
            }
        }

        string? end;
        try
        {
            end = await run.CheckEndAsync();
        }
        catch (WaitTimeoutException e)
        {
            end = $"the nodes did not converge: {e.Message}";
        }

        return end is null ? new ChaosOutcome(seed, steps, null) : run.Fail(seed, steps, $"at the end: {end}");
    }

    /// <summary>A shorter schedule that still fails (see <see cref="ScheduleShrinker"/>): steps dropped by kind, by runs and one by one; mined, sent and tick counts lowered.</summary>
    public static Task<IReadOnlyList<ChaosStep>> ShrinkAsync(int seed, IReadOnlyList<ChaosStep> steps, ChaosOptions options, Func<string, bool>? sameFailure = null, int maxRuns = 100)
    {
        ArgumentNullException.ThrowIfNull(steps);
        return ScheduleShrinker.ShrinkAsync(steps, FailsAsync, s => s.Kind, Simpler, maxRuns);

        async Task<bool> FailsAsync(IReadOnlyList<ChaosStep> candidate)
        {
            await using var net = await StartAsync(options);
            var outcome = await RunAsync(seed, candidate, options, () => Task.FromResult(net));
            return outcome.Failure is { } failure && (sameFailure is null || sameFailure(failure));
        }

        static ChaosStep? Simpler(ChaosStep step) =>
            step.Count > 1 && step.Kind is ChaosKind.Mine or ChaosKind.Send or ChaosKind.Tick ? step with { Count = step.Count / 2 } : null;
    }

    /// <summary>The network a chaos run uses: small, in memory, with the store asked for.</summary>
    public static Task<TestNetwork> StartAsync(ChaosOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return TestNetwork.StartAsync(options.Nodes, Topology.Full, new TestNetworkOptions { Store = options.Store });
    }

    /// <summary>The schedule as an NUnit test to paste into the suite.</summary>
    public static string AsNUnitTest(int seed, IReadOnlyList<ChaosStep> steps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        var code = new StringBuilder()
            .AppendLine("[Test]")
            .AppendLine(CultureInfo.InvariantCulture, $"public async Task Chaos_seed_{seed}_shrunk()")
            .AppendLine("{")
            .AppendLine("    ChaosStep[] steps =")
            .AppendLine("    [");
        foreach (var step in steps)
        {
            code.AppendLine(CultureInfo.InvariantCulture, $"        {step.ToCode()}, // {step}");
        }

        return code.AppendLine("    ];")
            .AppendLine(CultureInfo.InvariantCulture, $"    var outcome = await ChaosRun.RunAsync({seed}, steps, new ChaosOptions(), () => StartNetworkAsync(3, Topology.Full, new TestNetworkOptions {{ Store = StoreKind.Sqlite }}));")
            .AppendLine("    outcome.Failure.ShouldBeNull();")
            .AppendLine("}")
            .ToString();
    }

    private ChaosOutcome Fail(int seed, IReadOnlyList<ChaosStep> steps, string failure)
    {
        var message = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"Chaos seed {seed} broke an invariant {failure}")
            .AppendLine("Schedule:")
            .Append(_story)
            .AppendLine("State:")
            .Append(_net.Describe());
        _net.Note(message.ToString());
        return new ChaosOutcome(seed, steps, message.ToString());
    }

    private async Task ApplyAsync(ChaosStep step)
    {
        switch (step.Kind)
        {
            case ChaosKind.Mine when _net.IsRunning(step.A):
                foreach (var mined in await _net.MineAsync(step.A, step.Count, sync: false))
                {
                    _mined.Add(Hash256.Parse(mined.Hash));
                }

                break;
            case ChaosKind.Send when _net.IsRunning(step.A):
                await SendAsync(step.A, step.B, Amount.FromCoins(step.Count));
                break;
            case ChaosKind.DoubleSpend when _net.IsRunning(step.A) && _net.IsRunning(step.B):
                await DoubleSpendAsync(step.A, step.B);
                break;
            case ChaosKind.Partition:
                _net.Partition(
                    [.. Enumerable.Range(0, _net.Count).Where(i => ((step.A >> i) & 1) == 1)],
                    [.. Enumerable.Range(0, _net.Count).Where(i => ((step.A >> i) & 1) == 0)]);
                break;
            case ChaosKind.Heal:
                await _net.HealAsync();
                break;
            case ChaosKind.DelayLink:
                _net.DelayLink(step.A, step.B, TimeSpan.FromMilliseconds(step.Count));
                break;
            case ChaosKind.DropLink:
                _net.DropLink(step.A, step.B);
                break;
            case ChaosKind.Stop when _net.IsRunning(step.A) && Enumerable.Range(0, _net.Count).Count(_net.IsRunning) > 1:
                await _net.StopNodeAsync(step.A);
                break;
            case ChaosKind.Restart when !_net.IsRunning(step.A):
                await RestartAsync(step.A);
                break;
            case ChaosKind.Clock:
                _net.Clock.Advance(TimeSpan.FromMinutes(step.Count));
                break;
            case ChaosKind.Tick:
                await _net.TickAsync(step.Count);
                break;
            case ChaosKind.Stranger when _net.IsRunning(step.A):
                await using (var stranger = await TestPeer.ConnectAsync(_net, step.A, name: $"stranger-{++_strangers}"))
                {
                    var tip = _net[step.A].Tip;
                    await stranger.SendBlockAsync(step.A, BlockFactory.Next(tip, _net.Wallet(step.A).KeyHash, _net[step.A].Params, fees: Amount.FromCoins(1)));
                }

                break;
            default:
                _net.Note($"(step skipped: it does not apply now)");
                break;
        }
    }

    private async Task RestartAsync(int node)
    {
        var restarted = await _net.RestartNodeAsync(node);
        restarted.Engine.PlantedDefectDropsDisconnectedTransactions = _options.PlantDefect;
    }

    private async Task SendAsync(int from, int to, Amount amount)
    {
        var result = await Wallets.ClientFor(_net[from], _net.Wallet(from)).SendTransactionAsync(_net.Wallet(to).Address, amount, Amount.FromCoins(0.001m));
        if (result.Accepted && _net[from].Mempool.Get(Hash256.Parse(result.Id!)) is { } entry)
        {
            _accepted.Add(entry.Transaction);
        }
    }

    private async Task DoubleSpendAsync(int a, int b)
    {
        var coins = await Wallets.CoinsAsync(_net[a], _net.Wallet(a));
        var tip = _net[a].Height;
        var coin = coins.FirstOrDefault(c => c.IsSpendableAt(tip + 1, _net[a].Params.CoinbaseMaturity));
        if (coin is null || _net[a].Mempool.GetSpender(coin.OutPoint) is not null)
        {
            return;
        }

        var fee = Amount.FromCoins(0.001m);
        var first = Wallets.Spend(_net.Wallet(a), coin, _net.Wallet(a).Address, fee);
        var second = Wallets.Spend(_net.Wallet(a), coin, _net.Wallet(b).Address, fee + fee);
        foreach (var (node, tx) in new[] { (a, first), (b, second) })
        {
            if ((await _net[node].Engine.AcceptTransactionAsync(tx)).Accepted)
            {
                _accepted.Add(tx);
            }
        }
    }

    private async Task<string?> CheckStepAsync()
    {
        if (_net.Router.ServerErrors is [var serverError, ..])
        {
            return $"a node answered 5xx: {serverError}";
        }

        if (_net.Log.Lines.FirstOrDefault(l => l.Contains(" ERR ", StringComparison.Ordinal) || l.Contains(" CRT ", StringComparison.Ordinal)) is { } error)
        {
            return $"an error-level log line: {error}";
        }

        foreach (var i in Enumerable.Range(0, _net.Count).Where(_net.IsRunning))
        {
            var (coins, subsidies) = await CoinsAndSubsidiesAsync(_net[i]);
            if (coins != subsidies)
            {
                return $"node-{i}'s UTXO set holds {coins} units, the subsidies of its active chain {subsidies}";
            }
        }

        return null;
    }

    private async Task<string?> CheckEndAsync()
    {
        _net.Note("Chaos: healing, restarting every node and letting the network settle");
        foreach (var i in Enumerable.Range(0, _net.Count).Where(i => !_net.IsRunning(i)))
        {
            await RestartAsync(i);
        }

        await _net.HealAsync();
        await SettleAsync();
        for (var i = 0; i < _net.Count; i++)
        {
            // Each node mines what its mempool holds, so that every transaction ends confirmed or conflicted.
            foreach (var mined in await _net.MineAsync(i, 1, sync: false))
            {
                _mined.Add(Hash256.Parse(mined.Hash));
            }

            await SettleAsync();
        }

        var step = await CheckStepAsync();
        if (step is not null)
        {
            return step;
        }

        var tip = _net[0].Tip;
        var mostWork = _mined.SelectMany(h => Enumerable.Range(0, _net.Count).Select(i => _net[i].FindBlock(h)))
            .OfType<Node.Chain.BlockIndexEntry>().Where(e => !e.IsInvalid).Select(e => e.ChainWork).DefaultIfEmpty(BigInteger.Zero).Max();
        if (tip.ChainWork < mostWork)
        {
            return $"the common tip {tip.Hash} has less work than a valid block a node holds";
        }

        foreach (var tx in _accepted)
        {
            if (await _net[0].Store.GetTransactionAsync(tx.TxId) is { } stored && _net[0].IsOnBestChain(stored.BlockHash))
            {
                continue;
            }

            if (Enumerable.Range(0, _net.Count).All(i => _net[i].Mempool.Contains(tx.TxId)))
            {
                continue;
            }

            var inputs = tx.Inputs.Select(i => i.PreviousOutput).ToList();
            var unspent = await _net[0].Store.GetCoinsAsync(inputs);
            if (inputs.Any(o => !unspent.ContainsKey(o) && !_net[0].Mempool.Contains(o.TxId)))
            {
                continue;
            }

            return $"transaction {tx.TxId}, accepted by a node, is lost: not confirmed, not in every mempool, and its inputs are unspent";
        }

        return await CheckReplayAsync();
    }

    /// <summary>
    /// The quiet period: the clock ticks (at most once a second of wall time, so the nodes' tip checks
    /// and reconnections run) until every node shares one tip, within a bounded wait. Branches of equal
    /// work stay apart until a block breaks the tie, as on any network: after 5 s without agreement,
    /// node-0 mines one.
    /// </summary>
    private Task SettleAsync()
    {
        var lastTick = System.Diagnostics.Stopwatch.StartNew();
        var lastBlock = System.Diagnostics.Stopwatch.StartNew();
        return _net.WaitUntilAsync(
            async () =>
            {
                if (Enumerable.Range(0, _net.Count).Select(i => _net[i].TipHash).Distinct().Count() == 1)
                {
                    return true;
                }

                if (lastBlock.Elapsed >= TimeSpan.FromSeconds(5))
                {
                    foreach (var mined in await _net.MineAsync(0, 1, sync: false))
                    {
                        _mined.Add(Hash256.Parse(mined.Hash));
                    }

                    lastBlock.Restart();
                }

                if (lastTick.Elapsed >= TimeSpan.FromSeconds(1))
                {
                    await _net.TickAsync();
                    lastTick.Restart();
                }

                return false;
            },
            "every node to share one tip after healing (the clock ticking once a second)",
            TimeSpan.FromSeconds(60));
    }

    /// <summary>Each node's store equals a fresh node's fed only the active chain.</summary>
    private async Task<string?> CheckReplayAsync()
    {
        var source = _net[0];
        await using var fresh = await TestNode.StartAsync(new NodeSettings
        {
            NodeId = "replay",
            DataDir = Path.Combine(TestEnvironment.ScratchDirectory, "replay-" + Guid.NewGuid().ToString("N")),
            CoinbaseMaturity = 1,
            Clock = _net.Clock,
        });
        for (var height = 1; height <= source.Height; height++)
        {
            var block = await source.Store.GetBlockAsync(source.Tip.GetAncestor(height)!.Hash);
            await fresh.Engine.ProcessBlockAsync(block!);
        }

        var expected = MainChainRows(await ((SqlChainStore)fresh.Store).SnapshotAsync());
        for (var i = 0; i < _net.Count; i++)
        {
            var actual = MainChainRows(await ((SqlChainStore)_net[i].Store).SnapshotAsync());
            if (!actual.SequenceEqual(expected))
            {
                var diff = actual.Except(expected).Concat(expected.Except(actual).Select(r => "missing " + r)).Take(5);
                return $"node-{i}'s store differs from a replay of its active chain: {string.Join("; ", diff)}";
            }
        }

        return null;
    }

    private static List<string> MainChainRows(IReadOnlyList<string> rows) =>
        [.. rows.Where(r => !r.StartsWith("block|", StringComparison.Ordinal) || r.Split('|')[3] == "1")];

    private static async Task<(long Coins, long Subsidies)> CoinsAndSubsidiesAsync(TestNode node)
    {
        var rows = await ((SqlChainStore)node.Store).SnapshotAsync();
        // Both from one snapshot of the store: the node may be connecting a block meanwhile.
        var coins = rows.Where(r => r.StartsWith("utxo|", StringComparison.Ordinal)).Sum(r => long.Parse(r.Split('|')[3], CultureInfo.InvariantCulture));
        var height = rows.Where(r => r.StartsWith("block|", StringComparison.Ordinal) && r.Split('|')[3] == "1").Select(r => int.Parse(r.Split('|')[2], CultureInfo.InvariantCulture)).DefaultIfEmpty(0).Max();
        var subsidies = Enumerable.Range(1, height).Sum(h => Subsidy.ForHeight(h, node.Params).Units);
        return (coins, subsidies);
    }
}
