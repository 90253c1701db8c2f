using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;
using ChainCore.Node.Chain;
using ChainCore.Node.Mempool;
using ChainCore.Tests.Fixtures;
using ChainCore.Tests.Harness;

namespace ChainCore.Tests.Unit.Chain;

/// <summary>
/// Templates from the engine's published snapshot over an in-memory store: where a template sits
/// (height, parent, bits, time bounds), what its coinbase pays, which pooled transactions it holds in
/// which order, and what it leaves out when the mempool and the tip disagree.
/// </summary>
[TestFixture, Category("Unit")]
public sealed class BlockAssemblerTests : EngineTestBase
{
    private BlockTemplate Template() => Engine.CreateTemplate(Kit.Miner.KeyHash);

    /// <summary>Mines <paramref name="count"/> blocks and returns their coinbases, all mature on the next block.</summary>
    private async Task<IReadOnlyList<Transaction>> FundAsync(int count) => [.. (await Kit.MineAsync(count)).Select(b => b.Transactions[0])];

    private async Task<Transaction> AcceptAsync(Transaction funding, Amount fee)
    {
        var tx = EngineKit.Pay(Kit.Miner, funding, Kit.Miner, fee);
        var result = await Engine.AcceptTransactionAsync(tx);
        result.Accepted.ShouldBeTrue(result.Validation.ToString());
        return tx;
    }

    [Test]
    public void A_block_leaves_room_for_its_header_and_a_thousand_bytes_of_coinbase()
    {
        BlockAssembler.MaxTransactionBytes(ConsensusParams.Regtest).ShouldBe(1_000_000 - BlockHeader.Size - 1_000);
        BlockAssembler.MaxTransactionBytes(ConsensusParams.Regtest with { MaxBlockSize = 5_000 }).ShouldBe(5_000 - BlockHeader.Size - 1_000);
    }

    [Test]
    public async Task A_template_before_the_chain_is_loaded_is_refused()
    {
        await using var store = new InMemoryChainStore();
        using var engine = Kit.Restart(store);

        Should.Throw<InvalidOperationException>(() => engine.CreateTemplate(new byte[20])).Message.ShouldBe("The chain is not initialized.");
    }

    [Test]
    public async Task An_empty_template_extends_the_tip_at_the_clocks_time_and_pays_the_subsidy()
    {
        await Kit.MineAsync(2);
        var now = Kit.Clock.GetUtcNow().ToUnixTimeSeconds();

        var template = Template();

        template.Height.ShouldBe(3);
        template.Block.Header.PreviousHash.ShouldBe(Kit.Tip.Hash);
        template.Block.Header.Bits.ShouldBe(Kit.Params.PowLimitBits);
        template.MinTime.ShouldBe((uint)(Kit.Tip.MedianTimePast() + 1));
        template.Block.Header.Time.ShouldBe((uint)now);
        template.Fees.ShouldBe(Amount.Zero);
        var coinbase = template.Block.Transactions.ShouldHaveSingleItem();
        coinbase.IsCoinbase.ShouldBeTrue();
        coinbase.Outputs.ShouldHaveSingleItem().Value.ShouldBe(Subsidy.ForHeight(3, Kit.Params));
        coinbase.Outputs[0].PublicKeyHash.ShouldBe(Kit.Miner.KeyHash);
    }

    [Test]
    public async Task A_template_holds_the_pooled_transactions_best_fee_rate_first_and_its_coinbase_takes_their_fees()
    {
        var funding = await FundAsync(3);
        var cheap = await AcceptAsync(funding[0], Fee);
        var rich = await AcceptAsync(funding[1], Fee * 3);
        var middle = await AcceptAsync(funding[2], Fee * 2);

        var template = Template();

        template.Block.Transactions.Skip(1).Select(t => t.TxId).ShouldBe([rich.TxId, middle.TxId, cheap.TxId]);
        template.Fees.ShouldBe(Fee * 6);
        template.Block.Transactions[0].Outputs[0].Value.ShouldBe(Subsidy.ForHeight(4, Kit.Params) + (Fee * 6));
        template.Block.Header.MerkleRoot.ShouldBe(MerkleTree.ComputeRoot(template.Block.Transactions));
    }

    // Bitcoin's long tail: once the halvings have taken the subsidy to nothing, a block's coinbase is
    // its fees alone, and a template checked with a coinbase that somehow paid the subsidy less the
    // fees (a negative output) would lose every transaction.
    [Test]
    public async Task Once_the_subsidy_has_run_out_a_templates_coinbase_pays_the_fees_alone_and_keeps_its_transactions()
    {
        await using var kit = await EngineKit.StartAsync(EngineKit.Regtest with { HalvingInterval = 2 });
        var funding = (await kit.MineAsync(1))[0].Transactions[0];
        await kit.MineAsync(128);
        Subsidy.ForHeight(kit.Tip.Height + 1, kit.Params).ShouldBe(Amount.Zero, "64 halvings");
        var tx = EngineKit.Pay(kit.Miner, funding, kit.Miner, Fee);
        (await kit.Engine.AcceptTransactionAsync(tx)).Accepted.ShouldBeTrue();

        var template = kit.Engine.CreateTemplate(kit.Miner.KeyHash);

        template.Block.Transactions.Skip(1).Select(t => t.TxId).ShouldBe([tx.TxId]);
        template.Block.Transactions[0].Outputs.ShouldHaveSingleItem().Value.ShouldBe(Fee);
        (await kit.Engine.ProcessBlockAsync(kit.Solve(template.Block))).BecameTip.ShouldBeTrue();
        kit.Logged("ERR").ShouldBeEmpty();
    }

    [Test]
    public async Task A_solved_template_is_a_valid_block_that_empties_the_mempool()
    {
        var funding = await FundAsync(1);
        var parent = await AcceptAsync(funding[0], Fee);
        var child = EngineKit.Pay(Kit.Miner, parent, Kit.Miner, Fee);
        (await Engine.AcceptTransactionAsync(child)).Accepted.ShouldBeTrue();
        var template = Template();
        template.Block.Transactions.Skip(1).Select(t => t.TxId).ShouldBe([parent.TxId, child.TxId]);

        var result = await Engine.ProcessBlockAsync(Kit.Solve(template.Block));

        result.BecameTip.ShouldBeTrue(result.Validation.ToString());
        Kit.Pool.Count.ShouldBe(0);
        Template().Block.Transactions.ShouldHaveSingleItem();
    }

    [Test]
    public async Task A_chain_ahead_of_the_clock_gets_templates_at_its_minimum_time_that_keep_their_transactions()
    {
        var funding = await FundAsync(1);
        var limit = (uint)(Kit.Clock.GetUtcNow().ToUnixTimeSeconds() + Kit.Params.MaxFutureBlockTime);
        for (var i = 0u; i < 12; i++)
        {
            (await Engine.ProcessBlockAsync(Kit.WithHeader(Kit.Tip, limit - 11 + i))).BecameTip.ShouldBeTrue();
        }

        var tx = await AcceptAsync(funding[0], Fee);

        var template = Template();

        template.MinTime.ShouldBe((uint)(Kit.Tip.MedianTimePast() + 1));
        template.MinTime.ShouldBeGreaterThan((uint)Kit.Clock.GetUtcNow().ToUnixTimeSeconds());
        template.Block.Header.Time.ShouldBe(template.MinTime);
        template.Block.Transactions.Skip(1).Select(t => t.TxId).ShouldBe([tx.TxId]);
    }

    [Test]
    public async Task A_template_on_a_chain_more_than_two_hours_ahead_of_the_clock_is_still_handed_out_whole()
    {
        var funding = await FundAsync(1);
        var limit = (uint)(Kit.Clock.GetUtcNow().ToUnixTimeSeconds() + Kit.Params.MaxFutureBlockTime);
        for (var i = 0u; i < 12; i++)
        {
            (await Engine.ProcessBlockAsync(Kit.WithHeader(Kit.Tip, limit - 11 + i))).BecameTip.ShouldBeTrue();
        }

        var behind = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(Kit.Clock.GetUtcNow() - TimeSpan.FromHours(3));
        using var restarted = Kit.Restart(clock: behind);
        await restarted.InitializeAsync();
        var tx = EngineKit.Pay(Kit.Miner, funding[0], Kit.Miner, Fee);
        (await restarted.AcceptTransactionAsync(tx)).Accepted.ShouldBeTrue();

        var template = restarted.CreateTemplate(Kit.Miner.KeyHash);

        template.Block.Header.Time.ShouldBe(template.MinTime);
        template.Block.Transactions.Skip(1).Select(t => t.TxId).ShouldBe([tx.TxId], "premature is not a defect: the template keeps its transactions");
        Kit.Logged("WRN").ShouldContain(l => l.Contains("is ahead of this node's clock", StringComparison.Ordinal));
    }

    [Test]
    public async Task A_pooled_transaction_that_does_not_connect_on_the_tip_is_left_out_with_its_children()
    {
        var funding = await FundAsync(2);
        // Claims its input is worth one unit: its outputs exceed its inputs once checked as a block.
        var broken = EngineKit.Pay(Kit.Miner, funding[0], Kit.Miner, Fee);
        var brokenChild = EngineKit.Pay(Kit.Miner, broken, Kit.Miner, Fee);
        var wrongCoin = new Coin(new TxOut(new Amount(1), [.. Kit.Miner.KeyHash]), 1, true);
        Kit.Pool.Add(new MempoolEntry(broken, Fee * 100, [new SpentCoin(broken.Inputs[0].PreviousOutput, wrongCoin)], Kit.Clock.GetUtcNow(), Kit.Pool.NextSequence()));
        Kit.Pool.Add(new MempoolEntry(brokenChild, Fee, [new SpentCoin(brokenChild.Inputs[0].PreviousOutput, new Coin(broken.Outputs[0], 4, false))], Kit.Clock.GetUtcNow(), Kit.Pool.NextSequence()));
        var good = await AcceptAsync(funding[1], Fee);

        var template = Template();

        template.Block.Transactions.Skip(1).Select(t => t.TxId).ShouldBe([good.TxId]);
        template.Fees.ShouldBe(Fee);
        template.Block.Transactions[0].Outputs[0].Value.ShouldBe(Subsidy.ForHeight(3, Kit.Params) + Fee);
    }

    [Test]
    public async Task A_failing_transaction_found_after_a_parent_and_its_child_leaves_them_both_in()
    {
        var funding = await FundAsync(2);
        var parent = await AcceptAsync(funding[1], Fee * 3);
        var child = EngineKit.Pay(Kit.Miner, parent, Kit.Miner, Fee * 3);
        (await Engine.AcceptTransactionAsync(child)).Accepted.ShouldBeTrue();
        var broken = EngineKit.Pay(Kit.Miner, funding[0], Kit.Miner, Fee);
        Kit.Pool.Add(new MempoolEntry(broken, Fee, [new SpentCoin(broken.Inputs[0].PreviousOutput, new Coin(new TxOut(new Amount(1), [.. Kit.Miner.KeyHash]), 1, true))],
            Kit.Clock.GetUtcNow(), Kit.Pool.NextSequence()));
        (await Engine.ProcessBlockAsync(Kit.Next(Kit.Genesis, extraNonce: 8))).BecameTip.ShouldBeFalse();

        var template = Template();

        template.Block.Transactions.Skip(1).Select(t => t.TxId).ShouldBe([parent.TxId, child.TxId]);
    }

    [Test]
    public async Task A_pooled_transaction_left_out_does_not_take_a_later_unrelated_one_with_it()
    {
        var funding = await FundAsync(2);
        var good = await AcceptAsync(funding[1], Fee);
        var broken = EngineKit.Pay(Kit.Miner, funding[0], Kit.Miner, Fee);
        Kit.Pool.Add(new MempoolEntry(broken, Fee / 2, [new SpentCoin(broken.Inputs[0].PreviousOutput, new Coin(new TxOut(new Amount(1), [.. Kit.Miner.KeyHash]), 1, true))],
            Kit.Clock.GetUtcNow(), Kit.Pool.NextSequence()));
        (await Engine.ProcessBlockAsync(Kit.Next(Kit.Genesis, extraNonce: 8))).BecameTip.ShouldBeFalse();

        var template = Template();

        template.Block.Transactions.Skip(1).Select(t => t.TxId).ShouldBe([good.TxId]);
    }
}
