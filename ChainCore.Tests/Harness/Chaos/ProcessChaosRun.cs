using System.Globalization;
using System.Text;
using ChainCore.Core.Api;
using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;
using ChainCore.Core.Wallet;
using ChainCore.Node.Storage;

namespace ChainCore.Tests.Harness.Chaos;

/// <summary>
/// Seeded chaos over node processes (<see cref="ProcessNetwork"/>), for what an in-process node
/// cannot do: die without any shutdown. From a seed, a schedule of mining, payments, double spends
/// sent to two nodes at once, clean stops, crashes (the process killed), restarts and clock moves,
/// all on the nodes' settable clock. After every step no node may have logged at error level; at the
/// end, with every node restarted and each having mined once: one common tip at least as high as any
/// block mined (regtest's work per block is constant), no accepted transaction lost unless every node
/// holding it crashed, and, with the nodes stopped, each store's coins equal to the subsidies of its
/// active chain and every store's active chain (blocks, transactions, coins, balances, history, undo
/// data) the same.
/// </summary>
public sealed class ProcessChaosRun
{
    private readonly ProcessNetwork _net;
    private readonly IReadOnlyList<TestWallet> _wallets;
    private readonly Dictionary<Hash256, (Transaction Tx, string? Excuse)> _accepted = [];
    private readonly StringBuilder _story = new();
    private int _highestMined;

    private ProcessChaosRun(ProcessNetwork net, int seed)
    {
        _net = net;
        _wallets = Wallets.SeededWallets(seed, net.Count);
    }

    /// <summary>A schedule over <paramref name="nodes"/> node processes: a pure function of the seed, at least one node always running.</summary>
    public static IReadOnlyList<ChaosStep> Generate(int seed, int nodes, int steps)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nodes, 2);
        var random = new Random(seed);
        var running = Enumerable.Range(0, nodes).ToHashSet();
        var schedule = new List<ChaosStep> { new(ChaosKind.Mine, 0, 0, 2) };
        while (schedule.Count < steps)
        {
            var live = running.Order().ToList();
            var a = live[random.Next(live.Count)];
            var others = live.Where(n => n != a).ToList();
            var roll = random.Next(100);
            ChaosStep? step = roll switch
            {
                < 30 => new(ChaosKind.Mine, a, 0, random.Next(1, 4)),
                < 50 when others.Count > 0 => new(ChaosKind.Send, a, others[random.Next(others.Count)], random.Next(1, 6)),
                < 58 when others.Count > 0 => new(ChaosKind.DoubleSpend, a, others[random.Next(others.Count)]),
                < 70 when live.Count > 1 => new(ChaosKind.Crash, a),
                < 78 when live.Count > 1 => new(ChaosKind.Stop, a),
                < 90 when running.Count < nodes => new(ChaosKind.Restart, Enumerable.Range(0, nodes).Where(n => !running.Contains(n)).ElementAt(random.Next(nodes - running.Count))),
                < 100 => new(ChaosKind.Clock, 0, 0, random.Next(1, 30)),
                _ => null,
            };
            if (step is null)
            {
                continue;
            }

            if (step.Kind is ChaosKind.Crash or ChaosKind.Stop)
            {
                running.Remove(step.A);
            }
            else if (step.Kind == ChaosKind.Restart)
            {
                running.Add(step.A);
            }

            schedule.Add(step);
        }

        return schedule;
    }

    /// <summary>Runs <paramref name="steps"/> over <paramref name="net"/> (the caller disposes it); a broken invariant is the outcome's failure, not an exception.</summary>
    public static async Task<ChaosOutcome> RunAsync(int seed, IReadOnlyList<ChaosStep> steps, ProcessNetwork net)
    {
        ArgumentNullException.ThrowIfNull(steps);
        ArgumentNullException.ThrowIfNull(net);
        var run = new ProcessChaosRun(net, seed);
        for (var i = 0; i < steps.Count; i++)
        {
            net.Note($"Chaos step {i + 1}/{steps.Count}: {steps[i]}");
            run._story.AppendLine(CultureInfo.InvariantCulture, $"{i + 1,3}. {steps[i]}");
            string? failure;
            try
            {
                await run.ApplyAsync(steps[i]);
                failure = run.CheckStep();
            }
            catch (Exception e) when (e is WaitTimeoutException or InvalidOperationException or HttpRequestException or NodeApiException or TaskCanceledException)
            {
                failure = $"the step failed: {e.Message}";
            }

            if (failure is not null)
            {
                return await run.FailAsync(seed, steps, $"after step {i + 1} ({steps[i]}): {failure}");
            }
        }

        string? end;
        try
        {
            end = await run.CheckEndAsync();
        }
        catch (Exception e) when (e is WaitTimeoutException or InvalidOperationException or HttpRequestException or NodeApiException or TaskCanceledException)
        {
            end = $"the nodes did not settle: {e.Message}";
        }

        if (end is null)
        {
            var excused = run._accepted.Values.Count(v => v.Excuse is not null);
            await TestContext.Out.WriteLineAsync($"Process chaos seed {seed}: {steps.Count} steps, {run._accepted.Count} transaction(s) accepted ({excused} lost with a crash that held them alone), highest block mined {run._highestMined}{Environment.NewLine}{run._story}");
            return new ChaosOutcome(seed, steps, null);
        }

        return await run.FailAsync(seed, steps, $"at the end: {end}");
    }

    private async Task<ChaosOutcome> FailAsync(int seed, IReadOnlyList<ChaosStep> steps, string failure)
    {
        var message = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"Process chaos seed {seed} broke an invariant {failure}")
            .AppendLine("Schedule:")
            .Append(_story)
            .AppendLine("State:")
            .Append(await _net.DescribeAsync());
        var evidence = await _net.KeepEvidenceAsync(message.ToString());
        message.AppendLine(CultureInfo.InvariantCulture, $"Every node process's whole output: {evidence}");
        return new ChaosOutcome(seed, steps, message.ToString());
    }

    private async Task ApplyAsync(ChaosStep step)
    {
        switch (step.Kind)
        {
            case ChaosKind.Mine when _net.IsRunning(step.A):
                foreach (var mined in await _net.MineAsync(step.A, _wallets[step.A].Address.ToString(), step.Count))
                {
                    _highestMined = Math.Max(_highestMined, mined.Height);
                }

                break;
            case ChaosKind.Send when _net.IsRunning(step.A) && _net.IsRunning(step.B):
                await SendAsync(step.A, step.B, Amount.FromCoins(step.Count));
                break;
            case ChaosKind.DoubleSpend when _net.IsRunning(step.A) && _net.IsRunning(step.B):
                await DoubleSpendAsync(step.A, step.B);
                break;
            case ChaosKind.Crash when _net.IsRunning(step.A):
                await ForgetWhatOnlyItHoldsAsync(step.A);
                await _net.CrashAsync(step.A);
                break;
            case ChaosKind.Stop when _net.IsRunning(step.A):
                if (!OperatingSystem.IsWindows())
                {
                    (await _net.StopAsync(step.A)).ShouldBe(0, $"{ProcessNetwork.NameOf(step.A)} stops cleanly");
                }
                else
                {
                    // Windows has no signal to ask a console process to stop with: it is killed.
                    await ForgetWhatOnlyItHoldsAsync(step.A);
                    await _net.StopAsync(step.A);
                }

                break;
            case ChaosKind.Restart when !_net.IsRunning(step.A):
                await _net.RestartAsync(step.A);
                break;
            case ChaosKind.Clock:
                await _net.SetClockAsync(_net.Clock + (60L * step.Count));
                break;
            default:
                _net.Note("(step skipped: it does not apply now)");
                break;
        }
    }

    private async Task SendAsync(int from, int to, Amount amount)
    {
        var result = await new WalletClient(_net.Client(from), _wallets[from].Key).SendTransactionAsync(_wallets[to].Address, amount, Amount.FromCoins(0.001m));
        if (result.Accepted)
        {
            var txId = Hash256.Parse(result.Id!);
            _accepted[txId] = (Transaction.Parse(Convert.FromHexString((await _net.Client(from).GetTransactionAsync(txId)).Hex)), null);
        }
    }

    /// <summary>One coin spent twice, the two spends sent to two nodes at the same moment: at most one may end confirmed.</summary>
    private async Task DoubleSpendAsync(int a, int b)
    {
        var utxos = await _net.Client(a).GetUtxosAsync(_wallets[a].Address.ToString());
        var coin = utxos.Utxos.FirstOrDefault(u => u.Confirmed && u.Spendable);
        if (coin is null)
        {
            _net.Note("(no mature unspent coin to spend twice)");
            return;
        }

        var outPoint = new OutPoint(Hash256.Parse(coin.TxId), coin.Index);
        var value = Amount.FromCoins(coin.Value);
        var fee = Amount.FromCoins(0.001m);
        var first = Wallets.Spend(_wallets[a], outPoint, value, _wallets[a].Address, fee);
        var second = Wallets.Spend(_wallets[a], outPoint, value, _wallets[b].Address, fee + fee);
        var results = await Task.WhenAll(_net.Client(a).SubmitTransactionAsync(first), _net.Client(b).SubmitTransactionAsync(second));
        foreach (var (tx, result) in new[] { (first, results[0]), (second, results[1]) })
        {
            if (result.Accepted)
            {
                _accepted[tx.TxId] = (tx, null);
            }
        }
    }

    /// <summary>Before node <paramref name="node"/> dies: a transaction no other running node holds (in its mempool or chain) may be lost with it.</summary>
    private async Task ForgetWhatOnlyItHoldsAsync(int node)
    {
        var others = Enumerable.Range(0, _net.Count).Where(i => i != node && _net.IsRunning(i)).ToList();
        foreach (var txId in _accepted.Where(p => p.Value.Excuse is null).Select(p => p.Key).ToList())
        {
            var heldElsewhere = false;
            foreach (var other in others)
            {
                if (await HoldsAsync(other, txId))
                {
                    heldElsewhere = true;
                    break;
                }
            }

            if (!heldElsewhere)
            {
                _accepted[txId] = (_accepted[txId].Tx, $"only {ProcessNetwork.NameOf(node)} held it when it died");
            }
        }
    }

    private async Task<bool> HoldsAsync(int node, Hash256 txId)
    {
        try
        {
            var tx = await _net.Client(node).GetTransactionAsync(txId);
            return tx.InMempool || tx.Confirmations > 0;
        }
        catch (NodeApiException e) when (e.Status == System.Net.HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    private string? CheckStep() =>
        _net.ErrorLines() is [var error, ..] ? $"an error-level log line: {error}" : null;

    private async Task<string?> CheckEndAsync()
    {
        _net.Note("Chaos: restarting every node and letting the network settle");
        foreach (var i in Enumerable.Range(0, _net.Count).Where(i => !_net.IsRunning(i)))
        {
            await _net.RestartAsync(i);
        }

        await SettleAsync();
        for (var i = 0; i < _net.Count; i++)
        {
            // Each node mines what its mempool holds, so that every transaction ends confirmed or conflicted.
            foreach (var mined in await _net.MineAsync(i, _wallets[i].Address.ToString()))
            {
                _highestMined = Math.Max(_highestMined, mined.Height);
            }

            await SettleAsync();
        }

        if (CheckStep() is { } error)
        {
            return error;
        }

        var tip = await _net.Client(0).GetStatusAsync();
        if (tip.TipHeight < _highestMined)
        {
            return $"the common tip is at height {tip.TipHeight}, below block {_highestMined} that a node mined";
        }

        var unconfirmed = new List<Transaction>();
        foreach (var (txId, (tx, excuse)) in _accepted)
        {
            if (excuse is null && !await HoldsAsync(0, txId))
            {
                unconfirmed.Add(tx);
            }
        }

        for (var i = 0; i < _net.Count; i++)
        {
            (await _net.StopAsync(i)).ShouldBe(AppProcess.StoppedExitCode, $"{ProcessNetwork.NameOf(i)} stops cleanly at the end");
        }

        return await CheckStoresAsync(tip.TipHeight, unconfirmed);
    }

    /// <summary>Opens each stopped node's database: coins against subsidies, the active chains against each other, lost transactions.</summary>
    private async Task<string?> CheckStoresAsync(int height, IReadOnlyList<Transaction> unconfirmed)
    {
        var subsidies = Enumerable.Range(1, height).Sum(h => Subsidy.ForHeight(h, ConsensusParams.Regtest).Units);
        List<string>? first = null;
        for (var i = 0; i < _net.Count; i++)
        {
            await using var store = new SqliteChainStore(_net.DatabasePath(i));
            var rows = await store.SnapshotAsync();
            var coins = rows.Where(r => r.StartsWith("utxo|", StringComparison.Ordinal)).Sum(r => long.Parse(r.Split('|')[3], CultureInfo.InvariantCulture));
            if (coins != subsidies)
            {
                return $"{ProcessNetwork.NameOf(i)}'s UTXO set holds {coins} units, the subsidies of the active chain {subsidies}";
            }

            var main = rows.Where(r => !r.StartsWith("block|", StringComparison.Ordinal) || r.Split('|')[3] == "1").ToList();
            if (first is null)
            {
                first = main;
            }
            else if (!main.SequenceEqual(first))
            {
                var diff = main.Except(first).Concat(first.Except(main).Select(r => "missing " + r)).Take(5);
                return $"{ProcessNetwork.NameOf(i)}'s store differs from node-0's on the same tip: {string.Join("; ", diff)}";
            }

            if (i == 0)
            {
                foreach (var tx in unconfirmed)
                {
                    var inputs = tx.Inputs.Select(input => input.PreviousOutput).ToList();
                    var unspent = await store.GetCoinsAsync(inputs);
                    if (inputs.All(unspent.ContainsKey))
                    {
                        return $"transaction {tx.TxId}, accepted by a node, is lost: not confirmed, and its inputs are unspent";
                    }
                }
            }
        }

        return null;
    }

    /// <summary>Until every node shares one tip; equal-work branches stay apart until a block breaks the tie, so after 5 s node-0 mines one.</summary>
    private Task SettleAsync()
    {
        var lastBlock = System.Diagnostics.Stopwatch.StartNew();
        return _net.WaitUntilAsync(
            async () =>
            {
                var statuses = await _net.StatusesAsync();
                if (statuses.All(s => s is not null) && statuses.Select(s => s!.TipHash).Distinct().Count() == 1)
                {
                    return true;
                }

                if (lastBlock.Elapsed >= TimeSpan.FromSeconds(5))
                {
                    foreach (var mined in await _net.MineAsync(0, _wallets[0].Address.ToString()))
                    {
                        _highestMined = Math.Max(_highestMined, mined.Height);
                    }

                    lastBlock.Restart();
                }

                return false;
            },
            "every node to share one tip",
            TimeSpan.FromSeconds(90));
    }
}
