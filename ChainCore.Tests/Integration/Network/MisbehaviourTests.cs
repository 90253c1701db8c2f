using System.Net;
using ChainCore.Core.Consensus;
using ChainCore.Core.Mining;
using ChainCore.Core.Primitives;
using ChainCore.Tests.Harness;
using static ChainCore.Tests.Integration.Network.PeerApi;

namespace ChainCore.Tests.Integration.Network;

/// <summary>A session's score comes from the category of what it sent: invalid data bans it for a while; honest noise costs nothing.</summary>
[TestFixture, Category("Integration"), Category("Network"), Category("Database")]
public sealed class MisbehaviourTests : NetworkTestBase
{
    [Test]
    public async Task A_peer_sending_an_invalid_block_is_dropped_and_banned_for_a_while_and_the_honest_chain_is_untouched()
    {
        var net = await StartNetworkAsync(2, Topology.Line, new TestNetworkOptions { BanDuration = TimeSpan.FromMinutes(30) });
        await net.MineAsync(0, 2);
        var honestTip = net[0].Tip;
        await using var mallory = await TestPeer.ConnectAsync(net, to: 0, name: "mallory");

        var invalid = WithBadMerkleRoot(BlockFactory.Next(honestTip, net.Wallet(0).KeyHash, net[0].Params), net[0].Params);
        net.Note("mallory announces a block whose merkle root is wrong (proof of work valid)");
        await mallory.SendBlockAsync(0, invalid);
        await mallory.WaitForDisconnectAsync(0);

        (await PeersAsync(net[0].Http)).Peers.Select(p => p.NodeId).ShouldBe(["node-1"]);
        var banned = (await BannedAsync(net[0].Http)).Banned.Single();
        (banned.Target, banned.Reason).ShouldBe((mallory.Address.Value, RejectCodes.BadMerkleRoot));
        (await CodeAsync(await mallory.HandshakeAsync(0))).ShouldBe(Node.Network.PeerCodes.PeerBanned);
        (await mallory.SendBlockAsync(0, invalid)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized, "its session is gone");

        net[0].Tip.ShouldBe(honestTip);
        await net.MineAsync(1, 1);
        net[0].Height.ShouldBe(3);

        net.Clock.Advance(TimeSpan.FromMinutes(31));
        (await mallory.HandshakeAsync(0)).StatusCode.ShouldBe(HttpStatusCode.OK, "the ban ends");
    }

    [Test]
    public async Task Duplicates_orphans_and_policy_refusals_cost_a_peer_nothing()
    {
        var net = await StartNetworkAsync(1);
        await net.MineAsync(0, 2);
        await using var honest = await TestPeer.ConnectAsync(net, to: 0, name: "honest");
        var p = net[0].Params;

        var known = await net[0].Store.GetBlockAsync(net[0].TipHash);
        (await honest.SendBlockAsync(0, known!)).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        var branch = BlockFactory.Branch(net[0].Tip, 2, net.Wallet(0).KeyHash, p, extraNonce: 7);
        (await honest.AnnounceAsync(0, [branch[1].Header], [])).StatusCode.ShouldBe(HttpStatusCode.NoContent, "an unknown parent starts a catch-up");

        var coins = await Wallets.CoinsAsync(net[0], net.Wallet(0));
        var coin = coins.MinBy(c => c.Height)!;
        var noFee = Wallets.Spend(net.Wallet(0), coin, Wallets.NewWallet().Address, Amount.Zero);
        await honest.SendTransactionAsync(0, noFee);
        honest.Received.ShouldContain(r => r.Path == $"/p2p/transactions/{noFee.TxId}");
        net[0].Mempool.Contains(noFee.TxId).ShouldBeFalse("refused by policy");

        var peer = (await PeersAsync(net[0].Http)).Peers.Single();
        peer.NodeId.ShouldBe("honest");
        peer.Score.ShouldBe(0);
    }

    private static Block WithBadMerkleRoot(Block block, ConsensusParams p)
    {
        var header = block.Header with { MerkleRoot = new Hash256(Enumerable.Repeat((byte)0x42, 32).ToArray()) };
        return BlockSolver.Solve(block.WithHeader(header), p, CancellationToken.None);
    }
}
