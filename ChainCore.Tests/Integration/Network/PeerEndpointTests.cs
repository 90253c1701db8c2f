using System.Net;
using System.Net.Http.Json;
using ChainCore.Core.Api;
using ChainCore.Core.Consensus;
using ChainCore.Node.Network;
using ChainCore.Tests.Harness;
using static ChainCore.Tests.Integration.Network.PeerApi;

namespace ChainCore.Tests.Integration.Network;

/// <summary>The handshake and the P2P endpoints as a peer (or an attacker) meets them.</summary>
[TestFixture, Category("Integration"), Category("Network"), Category("Database")]
public sealed class PeerEndpointTests : NetworkTestBase
{
    [Test]
    public async Task Handshake_connects_the_peer_and_answers_with_the_nodes_own_hello()
    {
        var net = await StartNetworkAsync(1);
        await net.MineAsync(0, 2);

        var response = await HandshakeAsync(net[0].Http, Hello("visitor"));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var answer = (await response.Content.ReadFromJsonAsync<PeerHello>(ApiJson.Options))!;
        answer.NodeId.ShouldBe("node-0");
        answer.Url.ShouldBe("http://node-0");
        answer.Network.ShouldBe("regtest");
        answer.GenesisHash.ShouldBe(ConsensusParams.Regtest.GenesisHash.ToString());
        answer.TipHeight.ShouldBe(2);
        answer.TipHash.ShouldBe(net[0].Chain.Tip.Hash.ToString());
        (await PeersAsync(net[0].Http)).Peers.Select(p => (p.NodeId, p.Url, p.Direction)).ShouldBe([("visitor", "http://fake-peer", "inbound")]);
        (await net[0].StatusAsync()).ActivePeers.ShouldBe(1);
    }

    [TestCase("devnet", null, HttpStatusCode.Conflict, PeerCodes.WrongNetwork)]
    [TestCase("regtest", "00000000000000000000000000000000000000000000000000000000000000ff", HttpStatusCode.Conflict, PeerCodes.WrongGenesis)]
    [TestCase("regtest", "not-a-hash", HttpStatusCode.Conflict, PeerCodes.WrongGenesis)]
    public async Task Handshake_from_another_chain_is_refused_with_its_code(string network, string? genesis, HttpStatusCode status, string code)
    {
        var net = await StartNetworkAsync(1);

        var response = await HandshakeAsync(net[0].Http, Hello("stranger", network: network, genesis: genesis));

        response.StatusCode.ShouldBe(status);
        (await CodeAsync(response)).ShouldBe(code);
        (await PeersAsync(net[0].Http)).Count.ShouldBe(0);
    }

    [Test]
    public async Task Handshake_refuses_the_node_itself_and_malformed_hellos()
    {
        var net = await StartNetworkAsync(1);

        var self = await HandshakeAsync(net[0].Http, Hello("node-0"));
        self.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await CodeAsync(self)).ShouldBe(PeerCodes.SelfConnection);

        foreach (var hello in new[] { Hello(""), Hello("x", url: "ftp://where"), Hello("x", url: "not a url"), new PeerHello("x", "http://x", null, null) })
        {
            var refused = await HandshakeAsync(net[0].Http, hello);
            refused.StatusCode.ShouldBe(HttpStatusCode.BadRequest, hello.ToString());
            (await CodeAsync(refused)).ShouldBe(RejectCodes.Malformed);
        }

        var notJson = await net[0].Http.PostAsync("/peers", new StringContent("{ nope", System.Text.Encoding.UTF8, "application/json"));
        notJson.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await PeersAsync(net[0].Http)).Count.ShouldBe(0);
    }

    [Test]
    public async Task Pushes_from_a_node_that_did_not_handshake_are_refused()
    {
        var net = await StartNetworkAsync(1);
        var block = BlockFactory.Next(net[0].Chain.Tip, net.Wallet(0).KeyHash, net[0].Chain.Params);

        foreach (var from in new string?[] { null, "nobody" })
        {
            var response = await PushAsync(net[0].Http, "/p2p/blocks", block.ToHex(), from);
            response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
            (await CodeAsync(response)).ShouldBe(PeerCodes.PeerUnknown);
        }

        net[0].Chain.Tip.Height.ShouldBe(0);
    }

    [Test]
    public async Task Bad_input_from_a_peer_is_refused_clearly_and_changes_nothing()
    {
        var net = await StartNetworkAsync(1);
        await net.MineAsync(0, 3);
        (await HandshakeAsync(net[0].Http, Hello("sloppy"))).EnsureSuccessStatusCode();
        var tip = net[0].Chain.Tip;
        var http = net[0].Http;

        async Task Refused(HttpResponseMessage response, HttpStatusCode status, string code)
        {
            response.StatusCode.ShouldBe(status, await response.Content.ReadAsStringAsync());
            (await CodeAsync(response)).ShouldBe(code);
        }

        await Refused(await PushAsync(http, "/p2p/blocks", "zz-not-hex", "sloppy"), HttpStatusCode.BadRequest, RejectCodes.Malformed);
        await Refused(await PushAsync(http, "/p2p/blocks", "00ff", "sloppy"), HttpStatusCode.BadRequest, RejectCodes.Malformed);
        await Refused(await PushAsync(http, "/p2p/transactions", "abc", "sloppy"), HttpStatusCode.BadRequest, RejectCodes.Malformed);
        await Refused(await PushAsync(http, "/p2p/blocks", new string('0', 6_000_000), "sloppy"), HttpStatusCode.RequestEntityTooLarge, "payload-too-large");
        await Refused(await http.GetAsync($"/p2p/blocks/{new string('a', 64)}"), HttpStatusCode.NotFound, "not-found");
        await Refused(await http.GetAsync("/p2p/blocks/xyz"), HttpStatusCode.BadRequest, RejectCodes.Malformed);
        await Refused(await http.GetAsync("/p2p/headers"), HttpStatusCode.BadRequest, RejectCodes.Malformed);
        await Refused(await http.GetAsync("/p2p/headers?locator=123"), HttpStatusCode.BadRequest, RejectCodes.Malformed);
        var huge = string.Join(',', Enumerable.Repeat(tip.Hash.ToString(), 10_000));
        await Refused(await http.GetAsync($"/p2p/headers?locator={huge}"), HttpStatusCode.BadRequest, RejectCodes.Malformed);

        net[0].Chain.Tip.ShouldBe(tip);
        net[0].Chain.Mempool.Count.ShouldBe(0);
        (await PeersAsync(http)).Peers.Single().NodeId.ShouldBe("sloppy", "malformed input is refused, not scored");
    }

    [Test]
    public async Task Headers_start_after_the_last_locator_block_on_the_best_chain_and_blocks_come_as_raw_hex()
    {
        var net = await StartNetworkAsync(1);
        await net.MineAsync(0, 5);
        var chain = net[0].Chain.State.Active;
        var unknown = new string('b', 64);

        var response = (await net[0].Http.GetFromJsonAsync<HeadersResponse>($"/p2p/headers?locator={unknown},{chain[2]!.Hash},{chain[0]!.Hash}", ApiJson.Options))!;

        response.Headers.Select(h => ChainCore.Core.Primitives.BlockHeader.Parse(Convert.FromHexString(h)).GetHash())
            .ShouldBe([chain[3]!.Hash, chain[4]!.Hash, chain[5]!.Hash]);
        var fromGenesis = (await net[0].Http.GetFromJsonAsync<HeadersResponse>($"/p2p/headers?locator={unknown}", ApiJson.Options))!;
        fromGenesis.Count.ShouldBe(5);

        var hex = await net[0].Http.GetStringAsync($"/p2p/blocks/{chain[4]!.Hash}");
        ChainCore.Core.Primitives.Block.Parse(Convert.FromHexString(hex)).Hash.ShouldBe(chain[4]!.Hash);
    }
}
