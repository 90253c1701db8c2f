using System.Net;
using System.Net.Http.Json;
using System.Text;
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
    public async Task A_handshake_is_confirmed_at_the_declared_address_before_a_session_opens()
    {
        var net = await StartNetworkAsync(1);
        await net.MineAsync(0, 2);
        await using var visitor = TestPeer.Create(net, "visitor");

        var response = await visitor.HandshakeAsync(0);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var welcome = (await response.Content.ReadFromJsonAsync<PeerWelcome>(ApiJson.Options))!;
        welcome.NodeId.ShouldBe("node-0");
        welcome.Url.ShouldBe("http://node-0");
        welcome.Network.ShouldBe("regtest");
        welcome.GenesisHash.ShouldBe(ConsensusParams.Regtest.GenesisHash.ToString());
        welcome.TipHeight.ShouldBe(2);
        welcome.TipHash.ShouldBe(net[0].TipHash.ToString());
        PeerWire.IsSessionToken(welcome.Session).ShouldBeTrue();
        visitor.Received.Select(r => r.ToString()).ShouldBe(["POST /peers/confirm"], "the node called the declared address back once, and nothing else");
        (await PeersAsync(net[0].Http)).Peers.Select(p => (p.NodeId, p.Url, p.Direction)).ShouldBe([("visitor", visitor.Address.Value, "inbound")]);
        (await net[0].StatusAsync()).ActivePeers.ShouldBe(1);
    }

    [Test]
    public async Task A_handshake_whose_address_does_not_confirm_it_opens_nothing()
    {
        var net = await StartNetworkAsync(1);
        await using var liar = TestPeer.Create(net, "liar");
        liar.ConfirmsHandshakes = false;

        var response = await liar.HandshakeAsync(0);

        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await CodeAsync(response)).ShouldBe(PeerCodes.AddressUnconfirmed);
        (await PeersAsync(net[0].Http)).Count.ShouldBe(0);
        net.Peers(0).Book.Contains(liar.Address).ShouldBeFalse("an unconfirmed address is not learned");
    }

    [TestCase("devnet", null, HttpStatusCode.Conflict, PeerCodes.WrongNetwork)]
    [TestCase("regtest", "00000000000000000000000000000000000000000000000000000000000000ff", HttpStatusCode.Conflict, PeerCodes.WrongGenesis)]
    [TestCase("regtest", "not-a-hash", HttpStatusCode.Conflict, PeerCodes.WrongGenesis)]
    public async Task Handshake_from_another_chain_is_refused_with_its_code_before_any_call_back(string network, string? genesis, HttpStatusCode status, string code)
    {
        var net = await StartNetworkAsync(1);
        await using var stranger = TestPeer.Create(net, "stranger");

        var response = await stranger.HandshakeAsync(0, network: network, genesis: genesis);

        response.StatusCode.ShouldBe(status);
        (await CodeAsync(response)).ShouldBe(code);
        stranger.Received.ShouldBeEmpty();
        (await PeersAsync(net[0].Http)).Count.ShouldBe(0);
    }

    [TestCase("ftp://where", PeerCodes.BadAddress)]
    [TestCase("not a url", PeerCodes.BadAddress)]
    [TestCase("http://where:1/internal/admin/api", PeerCodes.BadAddress)]
    [TestCase("http://where:1/?q=1", PeerCodes.BadAddress)]
    [TestCase("http://user:pw@where:1", PeerCodes.BadAddress)]
    [TestCase("http://where:1#x", PeerCodes.BadAddress)]
    public async Task A_declared_address_that_is_more_than_scheme_host_and_port_is_refused_without_a_call(string url, string code)
    {
        var net = await StartNetworkAsync(1);
        await using var stranger = TestPeer.Create(net, "stranger");

        var response = await stranger.HandshakeAsync(0, url: url);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await CodeAsync(response)).ShouldBe(code);
        stranger.Received.ShouldBeEmpty();
    }

    [Test]
    public async Task Handshake_refuses_malformed_hellos_and_a_node_talking_to_itself()
    {
        var net = await StartNetworkAsync(1);
        await using var stranger = TestPeer.Create(net, "stranger");

        (await stranger.HandshakeAsync(0, name: "")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var noNonce = await net[0].Http.PostAsJsonAsync("/peers", new PeerHello("x", "http://x", "regtest", ConsensusParams.Regtest.GenesisHash.ToString()), ApiJson.Options);
        noNonce.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await CodeAsync(noNonce)).ShouldBe(RejectCodes.Malformed);
        var notJson = await net[0].Http.PostAsync("/peers", new StringContent("{ nope", Encoding.UTF8, "application/json"));
        notJson.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var huge = await net[0].Http.PostAsync("/peers", new StringContent(new string(' ', 100_000), Encoding.UTF8, "application/json"));
        huge.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);

        (await net.Peers(0).ConnectAsync(TestNetwork.UrlOf(0), CancellationToken.None)).ShouldBeFalse("a node never connects to its own address");
        (await PeersAsync(net[0].Http)).Count.ShouldBe(0);
    }

    [Test]
    public async Task P2p_calls_without_a_valid_session_are_refused_and_charge_nobody()
    {
        var net = await StartNetworkAsync(2);
        await using var peer = await TestPeer.ConnectAsync(net, to: 0);
        var block = BlockFactory.Next(net[0].Tip, net.Wallet(0).KeyHash, net[0].Params);
        peer.Serve(block);

        foreach (var session in new[] { string.Empty, "nobody", new string('a', 64) })
        {
            var response = await peer.SendAsync(0, HttpMethod.Get, $"/p2p/blocks/{block.Hash}", session: session);
            response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
            (await CodeAsync(response)).ShouldBe(PeerCodes.NoSession);
        }

        (await peer.SendAsync(0, HttpMethod.Get, "/p2p/headers?locator=" + net[0].TipHash, session: "x")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        net[0].Height.ShouldBe(0);
        net.AreConnected(0, 1).ShouldBeTrue();
        peer.IsConnectedTo(0).ShouldBeTrue();
        net.Peers(0).Peers.ShouldAllBe(p => p.Score == 0);
    }

    [Test]
    public async Task Bad_input_from_a_peer_is_refused_clearly_and_changes_nothing()
    {
        var net = await StartNetworkAsync(1);
        await net.MineAsync(0, 3);
        await using var sloppy = await TestPeer.ConnectAsync(net, to: 0);
        var tip = net[0].Tip;

        async Task Refused(HttpResponseMessage response, HttpStatusCode status, string code)
        {
            response.StatusCode.ShouldBe(status, await response.Content.ReadAsStringAsync());
            (await CodeAsync(response)).ShouldBe(code);
        }

        await Refused(await sloppy.SendAsync(0, HttpMethod.Get, $"/p2p/blocks/{new string('a', 64)}"), HttpStatusCode.NotFound, "not-found");
        await Refused(await sloppy.SendAsync(0, HttpMethod.Get, "/p2p/blocks/xyz"), HttpStatusCode.BadRequest, RejectCodes.Malformed);
        await Refused(await sloppy.SendAsync(0, HttpMethod.Get, $"/p2p/transactions/{new string('a', 64)}"), HttpStatusCode.NotFound, "not-found");
        await Refused(await sloppy.SendAsync(0, HttpMethod.Get, "/p2p/headers"), HttpStatusCode.BadRequest, RejectCodes.Malformed);
        await Refused(await sloppy.SendAsync(0, HttpMethod.Get, "/p2p/headers?locator=123"), HttpStatusCode.BadRequest, RejectCodes.Malformed);
        var huge = string.Join(',', Enumerable.Repeat(tip.Hash.ToString(), 200));
        await Refused(await sloppy.SendAsync(0, HttpMethod.Get, $"/p2p/headers?locator={huge}"), HttpStatusCode.BadRequest, RejectCodes.Malformed);

        net[0].Tip.ShouldBe(tip);
        net[0].Mempool.Count.ShouldBe(0);
        sloppy.IsConnectedTo(0).ShouldBeTrue("a malformed request is refused, not scored");
    }

    [Test]
    public async Task Headers_start_after_the_last_locator_block_on_the_best_chain_and_blocks_come_as_raw_hex()
    {
        var net = await StartNetworkAsync(1);
        await net.MineAsync(0, 5);
        await using var peer = await TestPeer.ConnectAsync(net, to: 0);
        var chain = net[0].Engine.ActiveChain;
        var unknown = new string('b', 64);

        var response = (await (await peer.SendAsync(0, HttpMethod.Get, $"/p2p/headers?locator={unknown},{chain[2]!.Hash},{chain[0]!.Hash}")).Content.ReadFromJsonAsync<HeadersResponse>(ApiJson.Options))!;

        response.Headers.Select(h => ChainCore.Core.Primitives.BlockHeader.Parse(Convert.FromHexString(h)).GetHash())
            .ShouldBe([chain[3]!.Hash, chain[4]!.Hash, chain[5]!.Hash]);
        var fromGenesis = (await (await peer.SendAsync(0, HttpMethod.Get, $"/p2p/headers?locator={unknown}")).Content.ReadFromJsonAsync<HeadersResponse>(ApiJson.Options))!;
        fromGenesis.Count.ShouldBe(5);

        var hex = await (await peer.SendAsync(0, HttpMethod.Get, $"/p2p/blocks/{chain[4]!.Hash}")).Content.ReadAsStringAsync();
        ChainCore.Core.Primitives.Block.Parse(Convert.FromHexString(hex)).Hash.ShouldBe(chain[4]!.Hash);
    }
}
