using System.Collections.Concurrent;
using ChainCore.Core.Consensus;
using ChainCore.Core.Mining;
using ChainCore.Core.Primitives;
using ChainCore.Node.Chain;
using ChainCore.Tests.Fixtures;
using ChainCore.Tests.Harness;

namespace ChainCore.Tests.Integration.Blockchain;

/// <summary>
/// Many callers at once: miners solving templates, a rival submitting competing branches,
/// senders of transactions, and template requests through the engine and the API. Every template
/// handed out, once solved, must be accepted (on the tip or as a side branch: stale, never invalid).
/// </summary>
[TestFixture(StoreKind.Postgres), TestFixture(StoreKind.Sqlite)]
[Category("Integration"), Category("Database")]
public sealed class ChainConcurrencyTests(StoreKind store) : NodeTestBase
{
    private static readonly ConsensusParams Regtest = ConsensusParams.Regtest with { CoinbaseMaturity = 1 };

    [Test]
    public async Task Templates_handed_out_under_concurrent_blocks_branches_and_transactions_are_never_invalid()
    {
        await using var node = await StartNodeAsync(store: store);
        var wallets = Enumerable.Range(0, 4).Select(_ => Wallets.NewWallet()).ToList();
        foreach (var wallet in wallets)
        {
            await node.MineAsync(2, wallet.Address.ToString());
        }

        var templates = new ConcurrentQueue<BlockTemplate>();
        var refusedBlocks = new ConcurrentQueue<string>();
        async Task MineAsync(int miner)
        {
            for (var i = 0; i < 6; i++)
            {
                var template = node.Engine.CreateTemplate(wallets[miner].KeyHash);
                templates.Enqueue(template);
                var result = await node.Engine.ProcessBlockAsync(BlockSolver.Solve(template.Block, Regtest, CancellationToken.None));
                if (result.Status == BlockStatus.Invalid)
                {
                    refusedBlocks.Enqueue($"miner {miner}: {result.Validation}");
                }
            }
        }

        async Task CompeteAsync(int seed)
        {
            var random = TestSeed.NewRandom(1_000 + seed);
            for (var i = 0; i < 10; i++)
            {
                // A branch from one or two blocks below the tip, one block longer: a reorg each time, paying
                // the senders, whose next transactions then spend coins the following reorg takes away.
                var tip = node.Tip;
                var depth = random.Next(1, 3);
                var parent = tip.GetAncestor(Math.Max(1, tip.Height - depth))!;
                var payTo = wallets[2 + random.Next(2)].KeyHash;
                var branch = BlockFactory.Branch(parent, tip.Height - parent.Height + 1, payTo, Regtest, extraNonce: (byte)random.Next(1, 256));
                foreach (var block in branch)
                {
                    var result = await node.Engine.ProcessBlockAsync(block);
                    if (result.Status == BlockStatus.Invalid)
                    {
                        refusedBlocks.Enqueue($"rival: {result.Validation}");
                    }
                }
            }
        }

        async Task SendAsync(int sender)
        {
            var random = TestSeed.NewRandom(2_000 + sender);
            var from = wallets[sender];
            for (var i = 0; i < 20; i++)
            {
                var coins = await Wallets.CoinsAsync(node, from);
                var unspent = coins.Where(c => node.Mempool.GetSpender(c.OutPoint) is null).OrderByDescending(c => c.Height).ToList();
                if (unspent.Count == 0)
                {
                    continue;
                }

                // The newest coins most of the time: those a competing branch disconnects.
                var coin = unspent[random.Next(3) == 0 ? random.Next(unspent.Count) : 0];
                var to = wallets[random.Next(wallets.Count)];
                await node.Engine.AcceptTransactionAsync(Wallets.Spend(from, coin, to.Address, new Amount(random.Next(1_000, 50_000))));
            }
        }

        using var done = new CancellationTokenSource();
        async Task RequestAsync(bool throughApi)
        {
            // At least 20 each, then until the writers are done, at most 150 each.
            for (var i = 0; i < 150 && (i < 20 || !done.IsCancellationRequested); i++)
            {
                var wallet = wallets[i % wallets.Count];
                if (throughApi)
                {
                    var response = await node.Client.GetMiningTemplateAsync(wallet.Address.ToString());
                    templates.Enqueue(new BlockTemplate(Block.ParseHex(response.BlockHex), response.Height, response.MinTime, Amount.Zero));
                }
                else
                {
                    templates.Enqueue(node.Engine.CreateTemplate(wallet.KeyHash));
                    await Task.Yield();
                }
            }
        }

        var requesters = Task.WhenAll(Task.Run(() => RequestAsync(false)), Task.Run(() => RequestAsync(false)), Task.Run(() => RequestAsync(true)));
        await Task.WhenAll(
            Task.Run(() => MineAsync(0)),
            Task.Run(() => MineAsync(1)),
            Task.Run(() => CompeteAsync(7)),
            Task.Run(() => SendAsync(2)),
            Task.Run(() => SendAsync(3)));
        await done.CancelAsync();
        await requesters;

        refusedBlocks.ShouldBeEmpty();

        // Every template handed out during the run, solved now, is valid on its parent: accepted, at worst as a stale side branch.
        templates.Count.ShouldBeGreaterThanOrEqualTo(60 + 12);
        foreach (var template in templates)
        {
            var solved = BlockSolver.Solve(template.Block, Regtest, CancellationToken.None);
            var result = await node.Engine.ProcessBlockAsync(solved);
            result.Status.ShouldBeOneOf([BlockStatus.Accepted, BlockStatus.Duplicate], $"template at height {template.Height}: {result.Validation}");
        }

        (await node.Store.GetLatestBlockAsync())!.Hash.ShouldBe(node.TipHash);
        var mined = BlockSolver.Solve(node.Engine.CreateTemplate(wallets[0].KeyHash).Block, Regtest, CancellationToken.None);
        (await node.Engine.ProcessBlockAsync(mined)).BecameTip.ShouldBeTrue("the mempool is valid on the tip: a template with all of it connects");
    }

    [Test]
    public async Task Long_polls_and_subscribers_see_only_completed_changes_and_a_slow_subscriber_never_blocks_the_writer()
    {
        await using var node = await StartNodeAsync(store: store);
        var miner = Wallets.NewWallet();
        var start = node.Tip;
        using var slow = node.Engine.Events.Subscribe(capacity: 2);
        using var reader = node.Engine.Events.Subscribe();

        var poll = node.Engine.WaitForTipChangeAsync(start.Hash);
        poll.IsCompleted.ShouldBeFalse("the tip has not moved yet");
        (await node.Engine.WaitForTipChangeAsync(Hash256.Zero)).ShouldBeSameAs(start, "a caller that knows another tip returns at once");

        var blocks = BlockFactory.Branch(start, 5, miner.KeyHash, Regtest);
        foreach (var block in blocks)
        {
            (await node.Engine.ProcessBlockAsync(block)).BecameTip.ShouldBeTrue();
        }

        (await poll.WaitAsync(TimeSpan.FromSeconds(10))).Hash.ShouldNotBe(start.Hash);

        // A reorg is published whole: every disconnect and connect, then one tip move to the final tip.
        var rival = BlockFactory.Branch(start, 6, miner.KeyHash, Regtest, extraNonce: 1);
        foreach (var block in rival)
        {
            await node.Engine.ProcessBlockAsync(block);
        }

        node.TipHash.ShouldBe(rival[^1].Hash);
        var events = new List<ChainEvent>();
        while (reader.Reader.TryRead(out var change))
        {
            events.Add(change);
        }

        events.Select(e => e.Sequence).ShouldBe(Enumerable.Range((int)events[0].Sequence, events.Count).Select(i => (long)i), "no gaps for a subscriber that keeps up");
        events.OfType<BlockConnected>().Count().ShouldBe(5 + 6);
        events.OfType<BlockDisconnected>().Select(e => e.Block.Hash).ShouldBe(blocks.Reverse().Select(b => b.Hash));
        var moves = events.OfType<TipMoved>().ToList();
        moves[^1].Tip.Hash.ShouldBe(rival[^1].Hash);
        moves.Select(m => m.Tip.Hash).ShouldNotContain(start.Hash, "no half-done reorg (back at the fork point) is ever published");

        // The slow subscriber lost its oldest events and kept the newest; the writer never waited for it.
        slow.Dropped.ShouldBeGreaterThan(0);
        var kept = new List<ChainEvent>();
        while (slow.Reader.TryRead(out var change))
        {
            kept.Add(change);
        }

        kept.Count.ShouldBe(2);
        kept[^1].Sequence.ShouldBe(events[^1].Sequence);
    }
}
