using System.Net;
using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;
using ChainCore.Node.Network;
using ChainCore.Tests.Harness;
using static ChainCore.Tests.Integration.Network.PeerApi;

namespace ChainCore.Tests.Integration.Network;

/// <summary>
/// The network against strangers: each test plays the attacker with <see cref="TestPeer"/>, as Bitcoin
/// Core's p2p tests do with <c>P2PInterface</c>, and checks that honest nodes are untouched.
/// </summary>
[TestFixture, Category("Integration"), Category("Network"), Category("Database")]
public sealed class StrangerTests : NetworkTestBase
{
    private static readonly TestNetworkOptions Sqlite = new() { Store = StoreKind.Sqlite };

    [Test]
    public async Task A_block_sent_under_another_peers_name_charges_nobody_but_its_sender()
    {
        var net = await StartNetworkAsync(2, Topology.Line, Sqlite);
        await using var stranger = await TestPeer.ConnectAsync(net, to: 0, name: TestNetwork.NameOf(1));
        var overpaying = BlockFactory.Next(net[0].Tip, net.Wallet(0).KeyHash, net[0].Params, fees: Amount.FromCoins(1));

        var response = await stranger.SendBlockAsync(0, overpaying, claiming: TestNetwork.NameOf(1));

        response.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        await stranger.WaitForDisconnectAsync(0);
        net.AreConnected(0, 1).ShouldBeTrue("node-1 is still node-0's peer");
        (await BannedAsync(net[0].Http)).Banned.Select(b => b.Target).ShouldBe([stranger.Address.Value]);
        await net.MineAsync(node: 1, blocks: 2);
        net[0].Height.ShouldBe(2);
    }

    [Test]
    public async Task A_handshake_claiming_a_connected_peers_address_neither_replaces_nor_bans_it()
    {
        var net = await StartNetworkAsync(2, Topology.Line, Sqlite);
        var honest = net.Peers(0).FindByAddress(TestNetwork.UrlOf(1))!;
        await using var stranger = TestPeer.Create(net, "mallory");

        var response = await stranger.HandshakeAsync(0, url: TestNetwork.UrlOf(1), name: TestNetwork.NameOf(1));

        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await CodeAsync(response)).ShouldBe(PeerCodes.AddressUnconfirmed, "node-1 did not send that handshake, so it did not confirm it");
        net.Peers(0).FindByAddress(TestNetwork.UrlOf(1)).ShouldBeSameAs(honest);
        var invalid = BlockFactory.Next(net[0].Tip, net.Wallet(0).KeyHash, net[0].Params, fees: Amount.FromCoins(1));
        (await stranger.SendBlockAsync(0, invalid)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized, "without a session it charges nobody");
        (await BannedAsync(net[0].Http)).Count.ShouldBe(0);
        await net.MineAsync(node: 1, blocks: 1);
    }

    [Test]
    public async Task A_banned_stranger_on_a_routable_address_stays_refused_under_a_new_name_and_address_and_after_a_restart()
    {
        var net = await StartNetworkAsync(1, Topology.None, Sqlite);
        var from = IPAddress.Parse("198.51.100.7");
        await using (var stranger = await TestPeer.ConnectAsync(net, to: 0, name: "mallory", address: "http://198.51.100.7:8333", remote: from))
        {
            var invalid = BlockFactory.Next(net[0].Tip, net.Wallet(0).KeyHash, net[0].Params, fees: Amount.FromCoins(1));
            await stranger.SendBlockAsync(0, invalid);
            await stranger.WaitForDisconnectAsync(0);
        }

        (await BannedAsync(net[0].Http)).Banned.Select(b => b.Target).Order().ShouldBe(["198.51.100.7", "http://198.51.100.7:8333"]);
        await using (var again = TestPeer.Create(net, "mallory-2", address: "http://203.0.113.50:9999", remote: from))
        {
            var response = await again.HandshakeAsync(0);
            (await CodeAsync(response)).ShouldBe(PeerCodes.PeerBanned, "the remote address is banned, whatever the name and the address");
            again.Received.ShouldBeEmpty();
        }

        await net.StopNodeAsync(0);
        await net.RestartNodeAsync(0);
        await using var afterRestart = TestPeer.Create(net, "mallory-3", address: "http://203.0.113.51:9999", remote: from);
        (await CodeAsync(await afterRestart.HandshakeAsync(0))).ShouldBe(PeerCodes.PeerBanned, "bans are kept across restarts");
    }

    [Test]
    public async Task A_misbehaving_local_peer_is_dropped_without_banning_the_loopback_address_every_local_peer_shares()
    {
        var net = await StartNetworkAsync(2, Topology.Line, Sqlite);
        await using var stranger = await TestPeer.ConnectAsync(net, to: 0, name: "local-mallory");
        var invalid = BlockFactory.Next(net[0].Tip, net.Wallet(0).KeyHash, net[0].Params, fees: Amount.FromCoins(1));

        await stranger.SendBlockAsync(0, invalid);
        await stranger.WaitForDisconnectAsync(0);

        (await BannedAsync(net[0].Http)).Banned.Select(b => b.Target).ShouldBe([stranger.Address.Value]);
        await using var neighbour = await TestPeer.ConnectAsync(net, to: 0, name: "local-neighbour");
        neighbour.IsConnectedTo(0).ShouldBeTrue();
        net.AreConnected(0, 1).ShouldBeTrue();
        (await CodeAsync(await stranger.HandshakeAsync(0))).ShouldBe(PeerCodes.PeerBanned, "its own address stays banned");
    }

    [Test]
    public async Task Strangers_filling_every_inbound_slot_keep_out_neither_an_honest_newcomer_nor_the_nodes_own_connections()
    {
        var slots = new Dictionary<string, string?> { ["P2p:MaxPeers"] = "16", ["P2p:MaxOutbound"] = "8" };
        var net = await StartNetworkAsync(3, Topology.None, Sqlite with { Extra = slots });
        var fakes = new List<TestPeer>();
        for (var i = 0; i < 16; i++)
        {
            var fake = TestPeer.Create(net, $"fake-{i}");
            fakes.Add(fake);
            (await fake.HandshakeAsync(0)).StatusCode.ShouldBe(HttpStatusCode.OK, "a full inbound set makes room by eviction");
        }

        net.Peers(0).InboundCount.ShouldBe(8);
        await net.ConnectAsync(1, 0);
        await net.ConnectAsync(0, 2);
        net.Peers(0).OutboundCount.ShouldBe(1, "node-0's own connection took an outbound slot no stranger can fill");

        await net.MineAsync(node: 1, blocks: 1);
        for (var i = 16; i < 26; i++)
        {
            var fake = TestPeer.Create(net, $"fake-{i}");
            fakes.Add(fake);
            await fake.HandshakeAsync(0);
        }

        net.AreConnected(0, 1).ShouldBeTrue("a peer that gave a novel block is protected from eviction");
        net.AreConnected(0, 2).ShouldBeTrue();
        net.Peers(0).InboundCount.ShouldBe(8);
        foreach (var fake in fakes)
        {
            await fake.DisposeAsync();
        }
    }

    [Test]
    public async Task A_stranger_makes_the_node_call_a_declared_address_once_and_never_spreads_it()
    {
        var net = await StartNetworkAsync(2, Topology.Line, Sqlite with { PeerExchange = true });
        await using var victim = TestPeer.Create(net, "victim", address: "http://victim:8080");
        await using var stranger = TestPeer.Create(net, "mallory");

        (await CodeAsync(await stranger.HandshakeAsync(0, url: "http://victim:8080/internal/admin/api"))).ShouldBe(PeerCodes.BadAddress);
        for (var i = 0; i < 5; i++)
        {
            (await CodeAsync(await stranger.HandshakeAsync(0, url: "http://victim:8080"))).ShouldBe(PeerCodes.AddressUnconfirmed);
        }

        await net.TickAsync(3);
        await net.WaitForSyncAsync();
        await net.MineAsync(node: 1, blocks: 1);

        victim.Received.Select(r => r.ToString()).ShouldBe(["POST /peers/confirm"], "one call back for five handshakes, to a fixed path, with a small body");
        net.Peers(0).Book.Contains(victim.Address).ShouldBeFalse();
        net.Peers(1).Book.Contains(victim.Address).ShouldBeFalse();
    }

    [Test]
    public async Task An_announcement_of_many_transactions_makes_the_node_ask_for_at_most_a_hundred()
    {
        var net = await StartNetworkAsync(1, Topology.None, Sqlite);
        await using var flooder = await TestPeer.ConnectAsync(net, to: 0, name: "flooder");
        var txids = Enumerable.Range(0, PeerWire.MaxAnnouncedTransactions).Select(i => Hash256.Compute(BitConverter.GetBytes(i))).ToList();

        await flooder.AnnounceAsync(0, [], txids);

        flooder.Received.Count(r => r.Path.StartsWith("/p2p/transactions/", StringComparison.Ordinal)).ShouldBe(PeerMessageHandler.MaxTransactionFetchesPerAnnouncement);
        flooder.IsConnectedTo(0).ShouldBeTrue("transactions it no longer has are not misbehaviour");
    }

    [Test]
    public async Task On_main_a_stranger_cannot_make_the_node_learn_or_call_a_private_address()
    {
        var net = await StartNetworkAsync(1, Topology.None, Sqlite with { Extra = new Dictionary<string, string?> { ["P2p:AllowPrivateAddresses"] = "false" } });
        await using var stranger = TestPeer.Create(net, "stranger", address: "http://10.1.2.3:8333");

        var response = await stranger.HandshakeAsync(0);

        (await CodeAsync(response)).ShouldBe(PeerCodes.AddressNotAllowed);
        stranger.Received.ShouldBeEmpty();
        var book = net.Peers(0).Book;
        foreach (var address in new[] { "http://127.0.0.1:1", "http://10.0.0.1:1", "http://192.168.1.1:1", "http://169.254.0.1:1", "http://localhost:1", "http://[::1]:1", "http://100.64.0.1:1" })
        {
            book.Add(PeerAddress.Parse(address), "203.0").ShouldBeFalse(address);
        }

        book.Add(PeerAddress.Parse("http://203.0.113.9:8333"), "203.0").ShouldBeTrue();
    }

    [Test]
    public async Task Tarpit_peers_delay_neither_the_tip_checks_of_an_honest_peer_nor_each_other()
    {
        var net = await StartNetworkAsync(1, Topology.None, Sqlite with { Extra = new Dictionary<string, string?> { ["P2p:MaxPeers"] = "48", ["P2p:MaxOutbound"] = "8" } });
        await using var honest = await TestPeer.ConnectAsync(net, to: 0, name: "honest");
        var tarpits = new List<TestPeer>();
        for (var i = 0; i < 30; i++)
        {
            var tarpit = await TestPeer.ConnectAsync(net, to: 0, name: $"tarpit-{i}");
            tarpit.Respond = async (_, ct) =>
            {
                await Task.Delay(Timeout.Infinite, ct);
                return null;
            };
            tarpits.Add(tarpit);
        }

        for (var round = 1; round <= 4; round++)
        {
            await net.TickAsync();
            await honest.WaitForRequestAsync(
                _ => honest.Received.Count(r => r.Path == "/p2p/status") >= round,
                $"tip check {round} soon after its tick, while 30 tarpits hold theirs for 2 x 10 s (the request timeout, one retry)",
                TimeSpan.FromSeconds(8));
        }

        foreach (var tarpit in tarpits)
        {
            await tarpit.DisposeAsync();
        }
    }

    [Test]
    public async Task A_node_whose_bootstrap_peer_restarts_reconnects_though_its_address_book_is_full_of_tarpits()
    {
        var net = await StartNetworkAsync(2, Topology.Line, Sqlite);
        var tarpits = new List<TestPeer>();
        for (var i = 0; i < 30; i++)
        {
            var tarpit = TestPeer.Create(net, $"tarpit-{i}");
            tarpit.Respond = async (_, ct) =>
            {
                await Task.Delay(Timeout.Infinite, ct);
                return null;
            };
            tarpits.Add(tarpit);
            net.Peers(1).Book.Good(tarpit.Address);
        }

        await net.StopNodeAsync(0);
        await net.TickAsync();
        await net.WaitUntilAsync(() => net.Peers(1).Count == 0, "node-1 to drop node-0, which is down");
        await net.RestartNodeAsync(0);
        await net.MineAsync(node: 0, blocks: 1, sync: false);
        await net.TickAsync();

        // Both nodes dial each other at once after the restart; whatever half-open session that leaves,
        // the tip checks notice it and the nodes connect again and catch up by themselves.
        await net.WaitUntilTickingAsync(() => net.AreConnected(0, 1) && net[1].TipHash == net[0].TipHash, "node-1 to reconnect to node-0 and catch up");
        foreach (var tarpit in tarpits)
        {
            await tarpit.DisposeAsync();
        }
    }

    [Test]
    public async Task An_oversized_answer_is_read_no_further_than_its_cap_and_charged_to_its_sender()
    {
        var net = await StartNetworkAsync(1, Topology.None, Sqlite);
        await using var peer = await TestPeer.ConnectAsync(net, to: 0, name: "huge");
        var stream = new EndlessStream(64L * 1024 * 1024);
        peer.Respond = (request, _) => Task.FromResult(request.Path == "/p2p/status"
            ? new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(stream) }
            : null);

        // The peer's first tip check comes a tick or two after its handshake, as the node schedules it.
        await net.WaitUntilTickingAsync(() => !peer.IsConnectedTo(0), "node-0 to check huge's tip and drop it");

        stream.Pulled.ShouldBeLessThan(1024 * 1024, "the node stopped reading at the cap of a status answer");
        (await BannedAsync(net[0].Http)).Banned.Select(b => (b.Target, b.Reason)).ShouldBe([(peer.Address.Value, PeerCodes.OversizedAnswer)]);
    }

    [Test]
    public async Task More_than_two_thousand_headers_in_one_answer_is_misbehaviour()
    {
        var net = await StartNetworkAsync(1, Topology.None, Sqlite);
        await using var peer = await TestPeer.ConnectAsync(net, to: 0, name: "flood");
        var header = Core.Serialization.Hex.Encode(BlockFactory.Next(net[0].Tip, net.Wallet(0).KeyHash, net[0].Params).Header.Serialize());
        peer.Respond = (request, _) => Task.FromResult(request.Path == "/p2p/headers"
            ? new HttpResponseMessage(HttpStatusCode.OK) { Content = System.Net.Http.Json.JsonContent.Create(new HeadersResponse(2_001, Enumerable.Repeat(header, 2_001).ToList()), options: Core.Api.ApiJson.Options) }
            : null);
        var orphan = BlockFactory.Branch(net[0].Tip, 2, net.Wallet(0).KeyHash, net[0].Params)[1];

        await peer.AnnounceAsync(0, [orphan.Header], []);
        await peer.WaitForDisconnectAsync(0);

        (await BannedAsync(net[0].Http)).Banned.Single().Reason.ShouldBe(PeerCodes.TooManyHeaders);
    }

    [Test]
    public async Task Blocks_nobody_asked_for_without_more_work_than_the_tip_are_not_stored_from_the_api_or_a_peer()
    {
        var net = await StartNetworkAsync(1, Topology.None, Sqlite);
        await net.MineAsync(0, 3);
        var p = net[0].Params;
        var genesis = net[0].FindBlock(p.GenesisHash)!;
        await using var peer = await TestPeer.ConnectAsync(net, to: 0, name: "filler");

        for (byte fork = 1; fork <= 5; fork++)
        {
            var submitted = BlockFactory.Next(genesis, net.Wallet(0).KeyHash, p, extraNonce: fork);
            var result = await net[0].Client.SubmitBlockAsync(submitted);
            result.Accepted.ShouldBeFalse();
            result.Code.ShouldBe(RejectCodes.LowWork);
            (await net[0].Store.GetBlockAsync(submitted.Hash)).ShouldBeNull();

            var announced = BlockFactory.Next(genesis, net.Wallet(0).KeyHash, p, extraNonce: (byte)(fork + 100));
            await peer.SendBlockAsync(0, announced);
            peer.Received.ShouldNotContain(r => r.Path == $"/p2p/blocks/{announced.Hash}", "a block with less work is not even fetched");
            (await net[0].Store.GetBlockAsync(announced.Hash)).ShouldBeNull();
        }

        peer.IsConnectedTo(0).ShouldBeTrue("a low-work block is not misbehaviour");
        var heavier = BlockFactory.Branch(genesis, 4, net.Wallet(0).KeyHash, p, extraNonce: 200);
        foreach (var block in heavier)
        {
            peer.Serve(block);
        }

        await peer.AnnounceAsync(0, [heavier[^1].Header], []);
        await net.WaitUntilAsync(() => net[0].TipHash == heavier[^1].Hash, "node-0 to take the branch with more work");
    }

    /// <summary>A body that never ends on its own, counting what its reader pulled.</summary>
    private sealed class EndlessStream(long length) : Stream
    {
        private long _pulled;

        public long Pulled => Interlocked.Read(ref _pulled);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position { get => Pulled; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, length - Pulled);
            Array.Fill(buffer, (byte)'a', offset, n);
            Interlocked.Add(ref _pulled, n);
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
