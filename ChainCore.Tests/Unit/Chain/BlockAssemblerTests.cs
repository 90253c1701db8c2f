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
public sealed class BlockAssemblerTests
{
    private static readonly Amount Fee = new(10_000);

    private EngineKit _kit = null!;

    [SetUp]
    public async Task StartAsync() => _kit = await EngineKit.StartAsync();

    [TearDown]
    public async Task StopAsync() => await _kit.DisposeAsync();

    private ChainEngine Engine => _kit.Engine;

    private BlockTemplate Template() => Engine.CreateTemplate(_kit.Miner.KeyHash);

    /// <summary>Mines <paramref name="count"/> blocks and returns their coinbases, all mature on the next block.</summary>
    private async Task<IReadOnlyList<Transaction>> FundAsync(int count) => [.. (await _kit.MineAsync(count)).Select(b => b.Transactions[0])];

    private async Task<Transaction> AcceptAsync(Transaction funding, Amount fee)
    {
        var tx = EngineKit.Pay(_kit.Miner, funding, _kit.Miner, fee);
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
        using var engine = _kit.Restart(store);

        Should.Throw<InvalidOperationException>(() => engine.CreateTemplate(new byte[20])).Message.ShouldBe("The chain is not initialized.");
    }

    [Test]
    public async Task An_empty_template_extends_the_tip_at_the_clocks_time_and_pays_the_subsidy()
    {
        await _kit.MineAsync(2);
        var now = _kit.Clock.GetUtcNow().ToUnixTimeSeconds();

        var template = Template();

        template.Height.ShouldBe(3);
        template.Block.Header.PreviousHash.ShouldBe(_kit.Tip.Hash);
        template.Block.Header.Bits.ShouldBe(_kit.Params.PowLimitBits);
        template.MinTime.ShouldBe((uint)(_kit.Tip.MedianTimePast() + 1));
        template.Block.Header.Time.ShouldBe((uint)now);
        template.Fees.ShouldBe(Amount.Zero);
        var coinbase = template.Block.Transactions.ShouldHaveSingleItem();
        coinbase.IsCoinbase.ShouldBeTrue();
        coinbase.Outputs.ShouldHaveSingleItem().Value.ShouldBe(Subsidy.ForHeight(3, _kit.Params));
        coinbase.Outputs[0].PublicKeyHash.ShouldBe(_kit.Miner.KeyHash);
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
        template.Block.Transactions[0].Outputs[0].Value.ShouldBe(Subsidy.ForHeight(4, _kit.Params) + (Fee * 6));
        template.Block.Header.MerkleRoot.ShouldBe(MerkleTree.ComputeRoot(template.Block.Transactions));
    }

    [Test]
    public async Task A_solved_template_is_a_valid_block_that_empties_the_mempool()
    {
        var funding = await FundAsync(1);
        var parent = await AcceptAsync(funding[0], Fee);
        var child = EngineKit.Pay(_kit.Miner, parent, _kit.Miner, Fee);
        (await Engine.AcceptTransactionAsync(child)).Accepted.ShouldBeTrue();
        var template = Template();
        template.Block.Transactions.Skip(1).Select(t => t.TxId).ShouldBe([parent.TxId, child.TxId]);

        var result = await Engine.ProcessBlockAsync(_kit.Solve(template.Block));

        result.BecameTip.ShouldBeTrue(result.Validation.ToString());
        _kit.Pool.Count.ShouldBe(0);
        Template().Block.Transactions.ShouldHaveSingleItem();
    }

    [Test]
    public async Task A_chain_ahead_of_the_clock_gets_templates_at_its_minimum_time_that_keep_their_transactions()
    {
        var funding = await FundAsync(1);
        var limit = (uint)(_kit.Clock.GetUtcNow().ToUnixTimeSeconds() + _kit.Params.MaxFutureBlockTime);
        for (var i = 0u; i < 12; i++)
        {
            (await Engine.ProcessBlockAsync(_kit.WithHeader(_kit.Tip, limit - 11 + i))).BecameTip.ShouldBeTrue();
        }

        var tx = await AcceptAsync(funding[0], Fee);

        var template = Template();

        template.MinTime.ShouldBe((uint)(_kit.Tip.MedianTimePast() + 1));
        template.MinTime.ShouldBeGreaterThan((uint)_kit.Clock.GetUtcNow().ToUnixTimeSeconds());
        template.Block.Header.Time.ShouldBe(template.MinTime);
        template.Block.Transactions.Skip(1).Select(t => t.TxId).ShouldBe([tx.TxId]);
    }

    [Test]
    public async Task A_template_on_a_chain_more_than_two_hours_ahead_of_the_clock_is_still_handed_out_whole()
    {
        var funding = await FundAsync(1);
        var limit = (uint)(_kit.Clock.GetUtcNow().ToUnixTimeSeconds() + _kit.Params.MaxFutureBlockTime);
        for (var i = 0u; i < 12; i++)
        {
            (await Engine.ProcessBlockAsync(_kit.WithHeader(_kit.Tip, limit - 11 + i))).BecameTip.ShouldBeTrue();
        }

        var behind = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(_kit.Clock.GetUtcNow() - TimeSpan.FromHours(3));
        using var restarted = _kit.Restart(clock: behind);
        await restarted.InitializeAsync();
        var tx = EngineKit.Pay(_kit.Miner, funding[0], _kit.Miner, Fee);
        (await restarted.AcceptTransactionAsync(tx)).Accepted.ShouldBeTrue();

        var template = restarted.CreateTemplate(_kit.Miner.KeyHash);

        template.Block.Header.Time.ShouldBe(template.MinTime);
        template.Block.Transactions.Skip(1).Select(t => t.TxId).ShouldBe([tx.TxId], "premature is not a defect: the template keeps its transactions");
        _kit.Logged("WRN").ShouldContain(l => l.Contains("is ahead of this node's clock", StringComparison.Ordinal));
    }

    [Test]
    public async Task A_pooled_transaction_that_does_not_connect_on_the_tip_is_left_out_with_its_children()
    {
        var funding = await FundAsync(2);
        // Claims its input is worth one unit: its outputs exceed its inputs once checked as a block.
        var broken = EngineKit.Pay(_kit.Miner, funding[0], _kit.Miner, Fee);
        var brokenChild = EngineKit.Pay(_kit.Miner, broken, _kit.Miner, Fee);
        var wrongCoin = new Coin(new TxOut(new Amount(1), [.. _kit.Miner.KeyHash]), 1, true);
        _kit.Pool.Add(new MempoolEntry(broken, Fee * 100, [new SpentCoin(broken.Inputs[0].PreviousOutput, wrongCoin)], _kit.Clock.GetUtcNow(), _kit.Pool.NextSequence()));
        _kit.Pool.Add(new MempoolEntry(brokenChild, Fee, [new SpentCoin(brokenChild.Inputs[0].PreviousOutput, new Coin(broken.Outputs[0], 4, false))], _kit.Clock.GetUtcNow(), _kit.Pool.NextSequence()));
        var good = await AcceptAsync(funding[1], Fee);

        var template = Template();

        template.Block.Transactions.Skip(1).Select(t => t.TxId).ShouldBe([good.TxId]);
        template.Fees.ShouldBe(Fee);
        template.Block.Transactions[0].Outputs[0].Value.ShouldBe(Subsidy.ForHeight(3, _kit.Params) + Fee);
    }

    [Test]
    public async Task A_failing_transaction_found_after_a_parent_and_its_child_leaves_them_both_in()
    {
        var funding = await FundAsync(2);
        var parent = await AcceptAsync(funding[1], Fee * 3);
        var child = EngineKit.Pay(_kit.Miner, parent, _kit.Miner, Fee * 3);
        (await Engine.AcceptTransactionAsync(child)).Accepted.ShouldBeTrue();
        var broken = EngineKit.Pay(_kit.Miner, funding[0], _kit.Miner, Fee);
        _kit.Pool.Add(new MempoolEntry(broken, Fee, [new SpentCoin(broken.Inputs[0].PreviousOutput, new Coin(new TxOut(new Amount(1), [.. _kit.Miner.KeyHash]), 1, true))],
            _kit.Clock.GetUtcNow(), _kit.Pool.NextSequence()));
        (await Engine.ProcessBlockAsync(_kit.Next(_kit.Genesis, extraNonce: 8))).BecameTip.ShouldBeFalse();

        var template = Template();

        template.Block.Transactions.Skip(1).Select(t => t.TxId).ShouldBe([parent.TxId, child.TxId]);
    }

    [Test]
    public async Task A_pooled_transaction_left_out_does_not_take_a_later_unrelated_one_with_it()
    {
        var funding = await FundAsync(2);
        var good = await AcceptAsync(funding[1], Fee);
        var broken = EngineKit.Pay(_kit.Miner, funding[0], _kit.Miner, Fee);
        _kit.Pool.Add(new MempoolEntry(broken, Fee / 2, [new SpentCoin(broken.Inputs[0].PreviousOutput, new Coin(new TxOut(new Amount(1), [.. _kit.Miner.KeyHash]), 1, true))],
            _kit.Clock.GetUtcNow(), _kit.Pool.NextSequence()));
        (await Engine.ProcessBlockAsync(_kit.Next(_kit.Genesis, extraNonce: 8))).BecameTip.ShouldBeFalse();

        var template = Template();

        template.Block.Transactions.Skip(1).Select(t => t.TxId).ShouldBe([good.TxId]);
    }
}
