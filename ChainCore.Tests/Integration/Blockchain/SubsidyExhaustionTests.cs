using System.Diagnostics;
using ChainCore.Core.Consensus;
using ChainCore.Core.Mining;
using ChainCore.Core.Primitives;
using ChainCore.Node.Chain;
using ChainCore.Tests.Harness;

namespace ChainCore.Tests.Integration.Blockchain;

/// <summary>
/// At regtest's real parameters (halving every 150 blocks, maturity 100) the subsidy is zero from
/// height 4950; mining must go on there, through <c>/mine_block</c> and through templates.
/// Slow: building the 4,949 blocks takes 6–15 s on two busy cores; the default run has the
/// unit-level check at height 4950 (Unit/Consensus/SubsidyExhaustionTests).
/// </summary>
[TestFixture, Category("Integration"), Category("Slow"), Category("Mining")]
public sealed class SubsidyExhaustionTests : NodeTestBase
{
    private const int FirstHeightWithoutSubsidy = 150 * 33;
    private static readonly ConsensusParams Regtest = ConsensusParams.Regtest;

    [Test]
    public async Task A_regtest_chain_keeps_mining_after_the_subsidy_reaches_zero()
    {
        await using var node = await StartNodeAsync(StoreKind.Sqlite, coinbaseMaturity: Regtest.CoinbaseMaturity);
        var miner = Wallets.NewWallet();
        var clock = Stopwatch.StartNew();
        foreach (var built in BlockFactory.Branch(node.Tip, FirstHeightWithoutSubsidy - 1, miner.KeyHash, Regtest))
        {
            var result = await node.Engine.ProcessBlockAsync(built);
            result.Status.ShouldBe(BlockStatus.Accepted, result.Validation.ToString());
        }

        TestContext.Out.WriteLine($"Built {FirstHeightWithoutSubsidy - 1} blocks in {clock.Elapsed.TotalSeconds:F1} s");
        node.Height.ShouldBe(FirstHeightWithoutSubsidy - 1);

        var mined = await node.MineAsync(2, miner.Address.ToString());
        mined.Select(m => m.Height).ShouldBe([FirstHeightWithoutSubsidy, FirstHeightWithoutSubsidy + 1]);
        (await node.Client.GetBlockAsync(FirstHeightWithoutSubsidy)).Transactions![0].Outputs[0].Value.ShouldBe(0m);

        var template = await node.Client.GetMiningTemplateAsync(miner.Address.ToString());
        template.Height.ShouldBe(FirstHeightWithoutSubsidy + 2);
        template.CoinbaseValue.ShouldBe(0m);
        var solved = BlockSolver.Solve(Block.ParseHex(template.BlockHex), Regtest, CancellationToken.None);
        (await node.Client.SubmitBlockAsync(solved)).Accepted.ShouldBeTrue();

        // A transaction's fee is then all a miner earns: the coinbase takes exactly it.
        var fee = new Amount(10_000);
        var coin = (await Wallets.CoinsAsync(node, miner)).MinBy(c => c.Height)!;
        var payment = Wallets.Spend(miner, coin, miner.Address, fee);
        (await node.Client.SubmitTransactionAsync(payment)).Accepted.ShouldBeTrue();
        var withFee = (await node.MineAsync(1, miner.Address.ToString()))[0];
        var block = await node.Client.GetBlockAsync(withFee.Height);
        block.Transactions!.Count.ShouldBe(2);
        block.Transactions[0].Outputs[0].Value.ShouldBe(fee.ToCoins());
        (await node.StatusAsync()).TipHeight.ShouldBe(FirstHeightWithoutSubsidy + 3);
    }
}
