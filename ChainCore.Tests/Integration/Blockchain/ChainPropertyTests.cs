using System.Text;
using ChainCore.Core.Consensus;
using ChainCore.Core.Mining;
using ChainCore.Core.Primitives;
using ChainCore.Node.Chain;
using ChainCore.Node.Storage;
using ChainCore.Tests.Fixtures;
using ChainCore.Tests.Harness;
using Microsoft.Extensions.Time.Testing;

namespace ChainCore.Tests.Integration.Blockchain;

/// <summary>
/// Seeded random runs of the engine: forks, reorgs back and forth, orphans, mempool traffic with
/// double spends, and store failures injected in the middle of connects and disconnects. After
/// every step the node must agree with a replay of its active chain (UTXO set and balances of every
/// wallet), every mempool transaction must connect on the tip, and every transaction a connected
/// block ever confirmed must be in the chain, in the mempool, or no longer valid. At the end the
/// whole store equals that of a fresh node fed only the final active chain.
/// Each case's seed derives from the run's (<see cref="TestSeed"/>). A run depends on its seed alone (keys derived from it, a clock that stands still), so a seed that
/// fails in a full run fails the same way, with the same step log, when run alone.
/// </summary>
[TestFixture(StoreKind.Postgres), TestFixture(StoreKind.Sqlite)]
[Category("Integration"), Category("Database")]
public sealed class ChainPropertyTests(StoreKind store) : NodeTestBase
{
    private static readonly ConsensusParams Regtest = ConsensusParams.Regtest with { CoinbaseMaturity = 1 };
    /// <summary>The nodes' clock: a day after genesis, standing still, so template times (and block hashes) do not depend on when the test runs.</summary>
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(Regtest.Genesis.Header.Time).AddDays(1);
    private static readonly string[] FailureSteps = ["connect:block", "connect:outputs", "connect:spends", "connect:commit", "disconnect:outputs", "disconnect:spends", "disconnect:commit"];

    [TestCase(1, 40), TestCase(2, 40)]
    public Task Random_forks_reorgs_traffic_and_store_failures_keep_the_node_equal_to_a_replay_of_its_chain(int run, int steps) => RunAsync(TestSeed.Current, steps);

    [Test, Category("Slow")]
    public async Task Many_seeds_keep_the_node_equal_to_a_replay_of_its_chain([Range(10, 19)] int run) => await RunAsync(TestSeed.Current, 120);

    private async Task RunAsync(int seed, int steps)
    {
        var run = new Run(seed, await StartNodeAsync(store: store, clock: new FakeTimeProvider(Now)));
        await run.MineOnTipAsync(3);
        for (var step = 0; step < steps; step++)
        {
            var action = run.Random.Next(100) switch
            {
                < 30 => run.SendTransactionsAsync(),
                < 50 => run.MineOnTipAsync(run.Random.Next(1, 3)),
                < 70 => run.ForkAsync(),
                < 85 => run.ExtendSideBranchAsync(),
                _ => run.FailingReorgAsync(),
            };
            await action;
            await run.CheckAsync(step);
        }

        TestContext.Out.WriteLine(run.Log);
        await using var fresh = await StartNodeAsync(store: store, index: 1, clock: new FakeTimeProvider(Now));
        for (var height = 1; height <= run.Node.Height; height++)
        {
            var block = run.Blocks[run.Node.Tip.GetAncestor(height)!.Hash];
            (await fresh.Engine.ProcessBlockAsync(block)).BecameTip.ShouldBeTrue();
        }

        var expected = MainChainRows(await ((SqlChainStore)fresh.Store).SnapshotAsync());
        var actual = MainChainRows(await ((SqlChainStore)run.Node.Store).SnapshotAsync());
        actual.ShouldBe(expected, $"seed {seed}: the store equals a fresh node's fed only the active chain");
    }

    /// <summary>Every row but side-branch blocks (the fresh node never saw them).</summary>
    private static List<string> MainChainRows(IReadOnlyList<string> rows) =>
        [.. rows.Where(r => !(r.StartsWith("block|", StringComparison.Ordinal) && r.Split('|')[3] == "0"))];

    private sealed class Run(int seed, TestNode node)
    {
        private readonly IReadOnlyList<TestWallet> _wallets = Wallets.SeededWallets(seed, 4);
        private readonly Dictionary<Hash256, Transaction> _confirmedOnce = [];
        private readonly List<BlockIndexEntry> _sideTips = [];

        public Random Random { get; } = new(seed);

        public TestNode Node => node;

        public Dictionary<Hash256, Block> Blocks { get; } = [];

        public StringBuilder Log { get; } = new();

        private ChainEngine Engine => node.Engine;

        private TestWallet AnyWallet() => _wallets[Random.Next(_wallets.Count)];

        public async Task MineOnTipAsync(int count)
        {
            for (var i = 0; i < count; i++)
            {
                var template = Engine.CreateTemplate(AnyWallet().KeyHash);
                var block = BlockSolver.Solve(template.Block, Regtest, CancellationToken.None);
                var result = await SubmitAsync(block);
                // It becomes the tip unless a branch stored earlier (its connect failed then) has at least as much work.
                result.Status.ShouldBe(BlockStatus.Accepted, result.Validation.ToString());
                var entry = Engine.GetEntry(block.Hash)!;
                (result.BecameTip || Engine.Tip.IsBetterThan(entry)).ShouldBeTrue($"a solved template on the tip becomes the tip; {Log}");
            }

            Log.AppendLine($"mined {count} on the tip -> {Engine.Tip}");
        }

        public async Task SendTransactionsAsync()
        {
            var count = Random.Next(1, 4);
            for (var i = 0; i < count; i++)
            {
                var from = AnyWallet();
                var coins = (await Wallets.CoinsAsync(node, from)).Select(c => (c.OutPoint, c.Value)).ToList();
                coins.AddRange(node.Mempool.Snapshot().SelectMany(e => e.Transaction.Outputs.Select((o, n) => (Tx: e.TxId, Out: o, N: n)))
                    .Where(o => o.Out.PublicKeyHash.AsSpan().SequenceEqual(from.KeyHash))
                    .Select(o => (new OutPoint(o.Tx, (uint)o.N), o.Out.Value)));
                if (coins.Count == 0)
                {
                    continue;
                }

                var (outPoint, value) = coins[Random.Next(coins.Count)];
                var fee = new Amount(Random.Next(1_000, 100_000));
                if (value <= fee + new Amount(1))
                {
                    continue;
                }

                // Split in two to grow the coin set; a spend of a pooled output is a double spend.
                var first = new Amount(Random.NextInt64(1, (value - fee).Units));
                var tx = TestData.Spend(from.Key, [outPoint], [new TxOut(first, [.. AnyWallet().KeyHash]), new TxOut(value - fee - first, [.. from.KeyHash])]);
                var result = await Engine.AcceptTransactionAsync(tx);
                if (node.Mempool.GetSpender(outPoint) is { } spender && spender != tx.TxId)
                {
                    result.Validation.Category.ShouldBe(ValidationCategory.Conflict);
                }

                Log.AppendLine($"tx {tx.TxId} spending {outPoint}: {result.Validation}");
            }
        }

        /// <summary>A branch from 1–3 blocks below the tip that overtakes it; its blocks sometimes arrive children first (orphans).</summary>
        public async Task ForkAsync()
        {
            var depth = Math.Min(Random.Next(1, 4), Engine.Tip.Height - 1);
            var forkPoint = Engine.Tip.GetAncestor(Engine.Tip.Height - depth)!;
            var branch = Build(forkPoint, depth + 1);
            var old = Engine.Tip;
            var order = Random.Next(3) == 0 ? branch.AsEnumerable().Reverse() : branch;
            var results = new List<BlockResult>();
            foreach (var block in order)
            {
                results.Add(await SubmitAsync(block));
            }

            _sideTips.Add(old);
            // The branch has more work than the old tip; a branch stored earlier (its connect failed) may have as much.
            var branchTip = Engine.GetEntry(branch[^1].Hash).ShouldNotBeNull();
            Engine.Tip.IsBetterThan(branchTip).ShouldBe(Engine.Tip != branchTip, $"the best branch becomes the tip ({string.Join(", ", results.Select(r => $"{r.Status} {r.Height} {r.Validation}"))}); {Log}");
            Log.AppendLine($"fork at {forkPoint.Height}, {branch.Count} blocks -> {Engine.Tip}");
        }

        /// <summary>Grows a branch that lost earlier, sometimes enough to take the chain back.</summary>
        public async Task ExtendSideBranchAsync()
        {
            _sideTips.RemoveAll(t => Engine.IsOnMainChain(t) || Engine.Tip.Height - t.Height > 4);
            if (_sideTips.Count == 0)
            {
                await ForkAsync();
                return;
            }

            var side = _sideTips[Random.Next(_sideTips.Count)];
            _sideTips.Remove(side);
            var blocks = Build(side, Random.Next(1, Engine.Tip.Height - side.Height + 3));
            var old = Engine.Tip;
            foreach (var block in blocks)
            {
                await SubmitAsync(block);
            }

            if (!Engine.IsOnMainChain(Engine.GetEntry(blocks[^1].Hash)!))
            {
                _sideTips.Add(Engine.GetEntry(blocks[^1].Hash)!);
            }
            else
            {
                _sideTips.Add(old);
            }

            Log.AppendLine($"side branch from {side.Height} +{blocks.Count} -> {Engine.Tip}");
        }

        /// <summary>A reorg during which the store fails once at a random step.</summary>
        public async Task FailingReorgAsync()
        {
            var step = FailureSteps[Random.Next(FailureSteps.Length)];
            var failAt = Random.Next(1, 4);
            var reached = 0;
            var sql = (SqlChainStore)node.Store;
            sql.Failpoint = at => at == step && ++reached == failAt ? throw new Failpoints.InjectedFailureException(at) : Task.CompletedTask;
            try
            {
                var depth = Math.Min(Random.Next(1, 4), Engine.Tip.Height - 1);
                var forkPoint = Engine.Tip.GetAncestor(Engine.Tip.Height - depth)!;
                var old = Engine.Tip;
                foreach (var block in Build(forkPoint, depth + 1))
                {
                    await SubmitAsync(block, mayFail: true);
                }

                _sideTips.Add(Engine.IsOnMainChain(old) ? Engine.Tip : old);
            }
            finally
            {
                sql.Failpoint = null;
            }

            Log.AppendLine($"failing reorg ({step} #{failAt}, reached {reached}) -> {Engine.Tip}");
        }

        private List<Block> Build(BlockIndexEntry parent, int count)
        {
            var blocks = new List<Block> { BlockFactory.Next(parent, AnyWallet().KeyHash, Regtest, extraNonce: (byte)Random.Next(1, 256)) };
            for (var i = 1; i < count; i++)
            {
                blocks.Add(BlockFactory.Next(blocks[^1], parent.Height + i, AnyWallet().KeyHash, Regtest, extraNonce: (byte)Random.Next(1, 256)));
            }

            return blocks;
        }

        private async Task<BlockResult> SubmitAsync(Block block, bool mayFail = false)
        {
            Blocks[block.Hash] = block;
            BlockResult result;
            try
            {
                result = await Engine.ProcessBlockAsync(block);
            }
            catch (Failpoints.InjectedFailureException) when (mayFail)
            {
                return BlockResult.Invalid(block.Hash, ValidationResult.Invalid("store-failed", "injected"));
            }

            result.Status.ShouldNotBe(BlockStatus.Invalid, result.Validation.ToString());
            foreach (var connected in Blocks.Values.Where(b => Engine.GetEntry(b.Hash) is { } e && Engine.IsOnMainChain(e)))
            {
                foreach (var tx in connected.Transactions.Skip(1))
                {
                    _confirmedOnce.TryAdd(tx.TxId, tx);
                }
            }

            return result;
        }

        public async Task CheckAsync(int step)
        {
            var because = $"seed {seed}, step {step}:\n{Log}";
            var tip = Engine.Tip;
            (await node.Store.GetLatestBlockAsync())!.Hash.ShouldBe(tip.Hash, because);

            // A replay of the active chain: its UTXO set, by wallet.
            var utxos = new Dictionary<OutPoint, TxOut>();
            for (var height = 1; height <= tip.Height; height++)
            {
                var block = Blocks[tip.GetAncestor(height)!.Hash];
                foreach (var tx in block.Transactions)
                {
                    foreach (var input in tx.Inputs.Where(_ => !tx.IsCoinbase))
                    {
                        utxos.Remove(input.PreviousOutput).ShouldBeTrue(because);
                    }

                    for (var n = 0; n < tx.Outputs.Length; n++)
                    {
                        utxos[new OutPoint(tx.TxId, (uint)n)] = tx.Outputs[n];
                    }
                }
            }

            foreach (var wallet in _wallets)
            {
                var expected = utxos.Where(u => u.Value.PublicKeyHash.AsSpan().SequenceEqual(wallet.KeyHash)).ToList();
                var coins = await Wallets.CoinsAsync(node, wallet);
                coins.Select(c => c.OutPoint).OrderBy(o => o.ToString()).ShouldBe(expected.Select(e => e.Key).OrderBy(o => o.ToString()), because);
                (await node.Store.GetBalanceAsync(wallet.KeyHash)).Units.ShouldBe(expected.Sum(e => e.Value.Value.Units), because);
            }

            // Every mempool transaction connects on the tip, parents first.
            var pooled = node.Mempool.Snapshot();
            var confirmed = await node.Store.GetCoinsAsync([.. pooled.SelectMany(e => e.Transaction.Inputs).Select(i => i.PreviousOutput)]);
            var view = new UtxoCache(new DictionaryUtxoView(confirmed));
            foreach (var entry in pooled)
            {
                TransactionValidator.CheckInputs(entry.Transaction, view, tip.Height + 1, Regtest, out _).ShouldBe(ValidationResult.Ok, $"{entry.TxId} in the mempool; {because}");
                foreach (var input in entry.Transaction.Inputs)
                {
                    view.Spend(input.PreviousOutput);
                }

                view.AddOutputs(entry.Transaction, tip.Height + 1);
            }

            // Nothing a connected block confirmed is lost: in the chain, in the mempool, or no longer valid.
            foreach (var tx in _confirmedOnce.Values)
            {
                if (node.Mempool.Contains(tx.TxId) || await node.Store.GetTransactionAsync(tx.TxId) is not null)
                {
                    continue;
                }

                var again = await Engine.AcceptTransactionAsync(tx);
                again.Accepted.ShouldBeFalse($"{tx.TxId} was confirmed once, is still valid, and was lost; {because}");
                again.Validation.Category.ShouldNotBe(ValidationCategory.Policy, because);
            }
        }
    }
}
