using System.Net;
using ChainCore.Core.Consensus;
using ChainCore.Core.Mining;
using ChainCore.Core.Primitives;
using ChainCore.Node.Network;
using ChainCore.Tests.Harness;
using static ChainCore.Tests.Integration.Network.PeerApi;

namespace ChainCore.Tests.Integration.Network;

/// <summary>A peer's score comes from the category of what it sent: invalid data bans it for a while; honest noise costs nothing.</summary>
[TestFixture, Category("Integration"), Category("Network"), Category("Database")]
public sealed class MisbehaviourTests : NetworkTestBase
{
    [Test]
    public async Task A_peer_sending_an_invalid_block_is_refused_dropped_and_banned_for_a_while_and_the_honest_chain_is_untouched()
    {
        var net = await StartNetworkAsync(2, Topology.Line, new TestNetworkOptions { BanDuration = TimeSpan.FromMinutes(30) });
        await net.MineAsync(0, 2);
        var honestTip = net[0].Chain.Tip;
        (await HandshakeAsync(net[0].Http, Hello("mallory", url: "http://mallory"))).EnsureSuccessStatusCode();

        var invalid = WithBadMerkleRoot(BlockFactory.Next(honestTip, net.Wallet(0).KeyHash, net[0].Chain.Params), net[0].Chain.Params);
        net.Note("mallory sends a block whose merkle root is wrong (proof of work valid)");
        var response = await PushAsync(net[0].Http, "/p2p/blocks", invalid.ToHex(), "mallory");

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await CodeAsync(response)).ShouldBe(RejectCodes.BadMerkleRoot);
        (await PeersAsync(net[0].Http)).Peers.Select(p => p.NodeId).ShouldBe(["node-1"]);
        var again = await HandshakeAsync(net[0].Http, Hello("mallory", url: "http://mallory"));
        again.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await CodeAsync(again)).ShouldBe(PeerCodes.PeerBanned);
        var underAnotherName = await HandshakeAsync(net[0].Http, Hello("mallory-2", url: "http://mallory"));
        (await CodeAsync(underAnotherName)).ShouldBe(PeerCodes.PeerBanned);
        (await CodeAsync(await PushAsync(net[0].Http, "/p2p/blocks", invalid.ToHex(), "mallory"))).ShouldBe(PeerCodes.PeerBanned);

        net[0].Chain.Tip.ShouldBe(honestTip);
        await net.MineAsync(1, 1);
        net[0].Chain.Tip.Height.ShouldBe(3);

        net.Clock.Advance(TimeSpan.FromMinutes(31));
        (await HandshakeAsync(net[0].Http, Hello("mallory", url: "http://mallory"))).StatusCode.ShouldBe(HttpStatusCode.OK, "the ban ends");
    }

    [Test]
    public async Task Duplicates_orphans_and_policy_refusals_cost_a_peer_nothing()
    {
        var net = await StartNetworkAsync(1);
        await net.MineAsync(0, 2);
        (await HandshakeAsync(net[0].Http, Hello("honest", url: "http://honest"))).EnsureSuccessStatusCode();
        var p = net[0].Chain.Params;

        var known = await net[0].Chain.Store.GetBlockAsync(net[0].Chain.Tip.Hash);
        (await PushAsync(net[0].Http, "/p2p/blocks", known!.ToHex(), "honest")).StatusCode.ShouldBe(HttpStatusCode.OK);

        var branch = BlockFactory.Branch(net[0].Chain.Tip, 2, net.Wallet(0).KeyHash, p, extraNonce: 7);
        (await PushAsync(net[0].Http, "/p2p/blocks", branch[1].ToHex(), "honest")).StatusCode.ShouldBe(HttpStatusCode.Accepted, "an orphan is kept, its parent asked for");

        var coins = await Wallets.CoinsAsync(net[0], net.Wallet(0));
        var coin = coins.MinBy(c => c.Coin.Height)!;
        var noFee = Wallets.Spend(net.Wallet(0), coin.OutPoint, coin.Coin.Output.Value, Wallets.NewWallet().Address, Amount.Zero);
        var policy = await PushAsync(net[0].Http, "/p2p/transactions", noFee.ToHex(), "honest");
        policy.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);

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
