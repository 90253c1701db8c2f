using ChainCore.Core.Consensus;
using ChainCore.Core.Crypto;
using ChainCore.Core.Primitives;
using ChainCore.Core.Mining;
using ChainCore.Tests.Harness;

namespace ChainCore.Tests.Integration.Mining;

[TestFixture, Category("Integration"), Category("Mining"), Category("Database")]
public sealed class MiningCycleTests : NodeTestBase
{
    [Test]
    public async Task Template_mined_and_submitted_extends_the_chain()
    {
        await using var node = await StartNodeAsync();
        var miner = PrivateKey.Generate().PublicKey.ToAddress();

        var template = await node.Client.GetMiningTemplateAsync(miner.ToString());
        template.Height.ShouldBe(1);
        template.PreviousBlockHash.ShouldBe(ConsensusParams.Regtest.GenesisHash.ToString());
        template.CoinbaseValue.ShouldBe(50m);

        var solved = BlockSolver.Solve(Block.ParseHex(template.BlockHex), ConsensusParams.Regtest, CancellationToken.None);
        var submitted = await node.Client.SubmitBlockAsync(solved);

        submitted.Accepted.ShouldBeTrue(submitted.Message);
        var status = await node.StatusAsync();
        status.BlockchainLength.ShouldBe(2);
        status.TipHash.ShouldBe(solved.Hash.ToString());
        (await node.Client.GetBalanceAsync(miner.ToString())).Confirmed.ShouldBe(50m);
    }

    [Test]
    public async Task Blocks_mined_by_the_node_itself_count_in_the_mining_stats()
    {
        await using var node = await StartNodeAsync();
        var (alice, bob) = (PrivateKey.Generate().PublicKey.ToAddress().ToString(), PrivateKey.Generate().PublicKey.ToAddress().ToString());

        await node.MineAsync(2, alice);
        await node.MineAsync(1, bob);

        var stats = await node.Client.GetMiningStatsAsync();
        stats.TotalBlocks.ShouldBe(3);
        stats.Miners.Single(m => m.MinerAddress == alice).Blocks.ShouldBe(2);
        stats.Miners.Single(m => m.MinerAddress == bob).LastHeight.ShouldBe(3);
    }

    [Test]
    public async Task Mine_block_endpoint_mines_on_the_tip_and_pays_the_miner()
    {
        await using var node = await StartNodeAsync();
        var miner = PrivateKey.Generate().PublicKey.ToAddress().ToString();

        var mined = await node.MineAsync(3, miner);

        mined.Select(m => m.Height).ShouldBe([1, 2, 3]);
        var status = await node.StatusAsync();
        status.BlockchainLength.ShouldBe(4);
        status.TipHash.ShouldBe(mined[^1].Hash);
        (await node.Client.GetBalanceAsync(miner)).Confirmed.ShouldBe(150m);
    }

    [Test]
    public async Task Submitting_the_same_block_twice_is_refused_as_duplicate()
    {
        await using var node = await StartNodeAsync();
        var miner = PrivateKey.Generate().PublicKey.ToAddress().ToString();
        var template = await node.Client.GetMiningTemplateAsync(miner);
        var solved = BlockSolver.Solve(Block.ParseHex(template.BlockHex), ConsensusParams.Regtest, CancellationToken.None);

        (await node.Client.SubmitBlockAsync(solved)).Accepted.ShouldBeTrue();
        var again = await node.Client.SubmitBlockAsync(solved);

        again.Accepted.ShouldBeFalse();
        again.Code.ShouldBe(RejectCodes.DuplicateBlock);
        (await node.StatusAsync()).BlockchainLength.ShouldBe(2);
    }

    [Test]
    public async Task Template_includes_mempool_transactions_and_their_fees()
    {
        await using var node = await StartNodeAsync();
        var sender = Wallets.NewWallet();
        var receiver = Wallets.NewWallet();
        await node.MineAsync(2, sender.Address.ToString());
        var wallet = Wallets.ClientFor(node, sender);
        (await wallet.SendTransactionAsync(receiver.Address, Amount.FromCoins(3), Amount.ParseCoins("0.001"))).Accepted.ShouldBeTrue();

        var template = await node.Client.GetMiningTemplateAsync(receiver.Address.ToString());

        template.Transactions.Count.ShouldBe(1);
        template.CoinbaseValue.ShouldBe(50.001m);
    }
}
