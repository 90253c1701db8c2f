using ChainCore.Core.Crypto;
using ChainCore.Tests.Harness;

namespace ChainCore.Tests.Integration.Mining;

[TestFixture, Category("Integration"), Category("Mining")]
public sealed class MinerHostTests : NodeTestBase
{
    private readonly List<MinerFactory> _miners = [];

    [TearDown]
    public async Task DisposeMinersAsync()
    {
        foreach (var miner in _miners)
        {
            await miner.DisposeAsync();
        }

        _miners.Clear();
    }

    private MinerFactory StartMiner(TestNode node, MinerSettings settings)
    {
        var miner = new MinerFactory(node, settings);
        _miners.Add(miner);
        _ = miner.Server;
        return miner;
    }

    [Test]
    public async Task Miner_mines_blocks_the_node_accepts_and_stops_when_told()
    {
        await using var node = await StartNodeAsync(StoreKind.Sqlite);
        var payee = PrivateKey.Generate().PublicKey.ToAddress().ToString();
        var miner = StartMiner(node, new MinerSettings(payee));

        await WaitUntilNodesAsync(() => node.Height >= 3);
        await Waits.WaitUntilAsync(async () => (await miner.StatusAsync()).BlocksFound >= 3, () => Task.FromResult(node.ToString()), TimeSpan.FromSeconds(30));

        var stopped = await miner.PostAsync("stop");
        stopped.Mining.ShouldBeFalse();
        await Waits.WaitUntilAsync(async () => (await miner.StatusAsync()).Height is null, () => Task.FromResult(node.ToString()), TimeSpan.FromSeconds(30));
        var status = await miner.StatusAsync();
        status.Address.ShouldBe(payee);
        status.Workers.ShouldBe(1);
        status.Hashes.ShouldBeGreaterThanOrEqualTo(status.BlocksFound);

        // Every block the miner counts is on the node's chain and pays the miner; none come after the stop.
        var height = node.Height;
        (await node.Client.GetBalanceAsync(payee)).Total.ShouldBeGreaterThan(0m);
        var stats = await node.Client.GetMiningStatsAsync();
        stats.Miners.Single(m => m.MinerAddress == payee).Blocks.ShouldBe(status.BlocksFound);
        (await node.StatusAsync()).TipHeight.ShouldBe(height);

        var started = await miner.PostAsync("start");
        started.Mining.ShouldBeTrue();
        await WaitUntilNodesAsync(() => node.Height > height);
    }

    [Test]
    public async Task Miner_abandons_a_template_as_soon_as_the_tip_moves()
    {
        await using var node = await StartNodeAsync(StoreKind.Sqlite);
        var payee = PrivateKey.Generate().PublicKey.ToAddress().ToString();
        var miner = StartMiner(node, new MinerSettings(payee) { UnsolvableTemplates = true });
        await Waits.WaitUntilAsync(async () => (await miner.StatusAsync()).Height == 1, () => Task.FromResult(node.ToString()), TimeSpan.FromSeconds(30));

        // Another miner extends the chain: the long poll answers and the miner moves to the new tip.
        var other = await node.MineAsync(1, PrivateKey.Generate().PublicKey.ToAddress().ToString());

        await Waits.WaitUntilAsync(async () => (await miner.StatusAsync()).PreviousHash == other[0].Hash, () => Task.FromResult(node.ToString()), TimeSpan.FromSeconds(10));
        var status = await miner.StatusAsync();
        status.Height.ShouldBe(2);
        status.StaleTemplates.ShouldBe(1);
        status.BlocksFound.ShouldBe(0);
        status.Mining.ShouldBeTrue();
    }

    [Test]
    public async Task Miner_that_starts_stopped_mines_only_after_start()
    {
        await using var node = await StartNodeAsync(StoreKind.Sqlite);
        var miner = StartMiner(node, new MinerSettings(PrivateKey.Generate().PublicKey.ToAddress().ToString()) { AutoStart = false, Workers = 2 });

        var status = await miner.StatusAsync();
        status.Mining.ShouldBeFalse();
        status.Hashes.ShouldBe(0);
        status.Workers.ShouldBe(2);

        await miner.PostAsync("start");
        await WaitUntilNodesAsync(() => node.Height >= 2);
    }
}
