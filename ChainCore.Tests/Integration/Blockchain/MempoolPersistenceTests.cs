using ChainCore.Core.Primitives;
using ChainCore.Tests.Harness;

namespace ChainCore.Tests.Integration.Blockchain;

/// <summary>The mempool outlives a clean restart (Bitcoin Core's mempool.dat): a node that stops loses no transaction it accepted.</summary>
[TestFixture, Category("Integration"), Category("Database")]
public sealed class MempoolPersistenceTests : NetworkTestBase
{
    [Test]
    public async Task A_clean_restart_keeps_the_mempool_parents_before_children([Values] StoreKind store)
    {
        var net = await StartNetworkAsync(1, Topology.None, new TestNetworkOptions { Store = store });
        await net.MineAsync(0, 2);
        var coin = (await Wallets.CoinsAsync(net[0], net.Wallet(0)))[0];
        var parent = Wallets.Spend(net.Wallet(0), coin, net.Wallet(0).Address, Amount.FromCoins(0.001m));
        var child = Wallets.Spend(net.Wallet(0), new OutPoint(parent.TxId, 0), parent.Outputs[0].Value, Wallets.NewWallet().Address, Amount.FromCoins(0.001m));
        (await net[0].Engine.AcceptTransactionAsync(parent)).Accepted.ShouldBeTrue();
        (await net[0].Engine.AcceptTransactionAsync(child)).Accepted.ShouldBeTrue();

        await net.StopNodeAsync(0);
        await net.RestartNodeAsync(0);

        net[0].Mempool.Snapshot().Select(e => e.TxId).ShouldBe([parent.TxId, child.TxId], ignoreOrder: true);
        await net.StopNodeAsync(0);
        await net.RestartNodeAsync(0);
        net[0].Mempool.Count.ShouldBe(2, "saved again at the second stop");
        await net.MineAsync(0, 1);
        net[0].Mempool.Count.ShouldBe(0);
    }
}
