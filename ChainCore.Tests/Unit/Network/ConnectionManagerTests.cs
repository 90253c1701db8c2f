using System.Net;
using ChainCore.Core.Consensus;
using ChainCore.Node.Network;
using ChainCore.Node.Storage;
using NSubstitute;
using NSubstitute.Core;
using NSubstitute.ExceptionExtensions;

namespace ChainCore.Tests.Unit.Network;

/// <summary><see cref="ConnectionManager"/> with every other node a substitute <see cref="IPeerClient"/>: handshakes, slots, eviction, bans and session tokens.</summary>
[TestFixture, Category("Unit"), Category("Network")]
public sealed class ConnectionManagerTests
{
    private const string Stranger = "http://10.0.2.1:8333";

    [Test]
    public async Task An_inbound_handshake_opens_a_session_once_the_declared_address_confirms_its_nonce()
    {
        using var kit = await PeerUnitKit.StartAsync();
        kit.Confirms(Stranger);
        var hello = PeerUnitKit.Hello(Stranger);

        var (welcome, refusal) = await kit.Connections.AcceptAsync(hello, null, CancellationToken.None);

        refusal.ShouldBeNull();
        welcome!.Url.ShouldBe(PeerUnitKit.SelfUrl);
        await kit.Client.Received(1).ConfirmAsync(Arg.Is<PeerAddress>(a => a.Value == Stranger), new PeerConfirmRequest(hello.Nonce, "self"), Arg.Any<CancellationToken>());
        kit.Connections.FindBySession(welcome.Session)!.Url.ShouldBe(Stranger);
        await kit.PeerStore.Received(1).UpsertAddressAsync(Arg.Is<AddressRecord>(r => r.Address == Stranger), Arg.Any<CancellationToken>());
    }

    [Test]
    public async Task A_handshake_whose_address_does_not_confirm_is_refused_and_that_address_is_not_called_again_at_once()
    {
        using var kit = await PeerUnitKit.StartAsync();
        kit.Client.ConfirmAsync(Arg.Any<PeerAddress>(), Arg.Any<PeerConfirmRequest>(), Arg.Any<CancellationToken>())
            .ThrowsAsync(new HttpRequestException("connection refused"));

        var (welcome, refusal) = await kit.Connections.AcceptAsync(PeerUnitKit.Hello(Stranger), null, CancellationToken.None);
        var (_, again) = await kit.Connections.AcceptAsync(PeerUnitKit.Hello(Stranger), null, CancellationToken.None);

        welcome.ShouldBeNull();
        refusal!.Code.ShouldBe(PeerCodes.AddressUnconfirmed);
        refusal.Status.ShouldBe(403);
        again!.Code.ShouldBe(PeerCodes.AddressUnconfirmed);
        await kit.Client.Received(1).ConfirmAsync(Arg.Any<PeerAddress>(), Arg.Any<PeerConfirmRequest>(), Arg.Any<CancellationToken>());
        kit.Connections.Count.ShouldBe(0);
        await kit.PeerStore.DidNotReceive().UpsertAddressAsync(Arg.Any<AddressRecord>(), Arg.Any<CancellationToken>());
    }

    [Test]
    public async Task An_address_that_keeps_failing_to_confirm_waits_longer_each_time_and_one_that_confirms_is_forgiven()
    {
        using var kit = await PeerUnitKit.StartAsync();
        var answers = 0;
        kit.Client.ConfirmAsync(Arg.Any<PeerAddress>(), Arg.Any<PeerConfirmRequest>(), Arg.Any<CancellationToken>())
            .Returns(_ => ++answers <= 2 ? throw new HttpRequestException("connection refused") : new PeerConfirmation(PeerUnitKit.Token()));
        async Task<string?> HandshakeAsync() => (await kit.Connections.AcceptAsync(PeerUnitKit.Hello(Stranger), null, CancellationToken.None)).Refusal?.Code;

        (await HandshakeAsync()).ShouldBe(PeerCodes.AddressUnconfirmed);
        kit.Clock.Advance(TimeSpan.FromSeconds(4.9));
        (await HandshakeAsync()).ShouldBe(PeerCodes.AddressUnconfirmed, "within the first 5 s it is not called");
        answers.ShouldBe(1);
        kit.Clock.Advance(TimeSpan.FromSeconds(0.1));
        (await HandshakeAsync()).ShouldBe(PeerCodes.AddressUnconfirmed, "called again after 5 s, and it fails again");
        answers.ShouldBe(2);
        kit.Clock.Advance(TimeSpan.FromSeconds(9.9));
        (await HandshakeAsync()).ShouldBe(PeerCodes.AddressUnconfirmed, "the second failure waits 10 s");
        answers.ShouldBe(2);
        kit.Clock.Advance(TimeSpan.FromSeconds(0.1));

        (await HandshakeAsync()).ShouldBeNull("after 10 s it is called again, and this time it confirms");
        answers.ShouldBe(3);
    }

    [Test]
    public async Task A_call_back_that_never_answers_is_given_up_after_the_connect_timeout()
    {
        using var kit = await PeerUnitKit.StartAsync(configure: o => o.ConnectTimeout = TimeSpan.FromMilliseconds(50));
        kit.Client.ConfirmAsync(Arg.Any<PeerAddress>(), Arg.Any<PeerConfirmRequest>(), Arg.Any<CancellationToken>())
            .Returns(async call =>
            {
                await Task.Delay(Timeout.Infinite, call.ArgAt<CancellationToken>(2));
                return new PeerConfirmation(PeerUnitKit.Token());
            });

        var (welcome, refusal) = await kit.Connections.AcceptAsync(PeerUnitKit.Hello(Stranger), null, CancellationToken.None);

        welcome.ShouldBeNull();
        refusal!.Code.ShouldBe(PeerCodes.AddressUnconfirmed);
        refusal.Detail.ShouldContain("no answer in time");
        kit.Connections.Count.ShouldBe(0);
    }

    [Test]
    public async Task A_handshake_naming_this_nodes_own_address_is_refused_without_calling_it()
    {
        using var kit = await PeerUnitKit.StartAsync();

        var (_, refusal) = await kit.Connections.AcceptAsync(PeerUnitKit.Hello(PeerUnitKit.SelfUrl), null, CancellationToken.None);

        refusal!.Code.ShouldBe(PeerCodes.SelfConnection);
        await kit.Client.DidNotReceiveWithAnyArgs().ConfirmAsync(default!, default!, default);
    }

    [Test]
    public async Task A_handshake_carrying_a_nonce_this_node_sent_is_its_own_and_is_refused()
    {
        using var kit = await PeerUnitKit.StartAsync();
        PeerRefusal? echoed = null;

        // The address dialled leads back here: this node receives its own handshake.
        async Task<PeerWelcome> Echo(CallInfo call)
        {
            (_, echoed) = await kit.Connections.AcceptAsync(call.Arg<PeerHello>() with { Url = Stranger }, null, CancellationToken.None);
            throw new PeerRefusedException(409, echoed!.Code, echoed.Detail);
        }

        kit.Client.HandshakeAsync(Arg.Any<PeerAddress>(), Arg.Any<PeerHello>(), Arg.Any<CancellationToken>()).Returns(Echo);

        (await kit.Connections.ConnectAsync(Stranger, CancellationToken.None)).ShouldBeFalse();

        echoed!.Code.ShouldBe(PeerCodes.SelfConnection);
        kit.Connections.Count.ShouldBe(0);
    }

    [Test]
    public async Task An_outbound_connection_opens_only_when_the_remote_called_back_to_confirm_it()
    {
        using var kit = await PeerUnitKit.StartAsync();
        var confirm = true;
        kit.Client.HandshakeAsync(Arg.Any<PeerAddress>(), Arg.Any<PeerHello>(), Arg.Any<CancellationToken>())
            .Returns(call => Welcome(kit, call.Arg<PeerHello>(), confirm));

        (await kit.Connections.ConnectAsync(Stranger, CancellationToken.None)).ShouldBeTrue();
        confirm = false;
        (await kit.Connections.ConnectAsync("http://10.0.2.2:8333", CancellationToken.None)).ShouldBeFalse();

        kit.Connections.Peers.Select(p => (p.Url, p.Direction)).ShouldBe([(Stranger, PeerDirection.Outbound)]);
    }

    [Test]
    public async Task Outbound_connections_stop_at_MaxOutbound_without_dialling_more()
    {
        using var kit = await PeerUnitKit.StartAsync(configure: o => (o.MaxOutbound, o.MaxPeers) = (1, 4));
        kit.Client.HandshakeAsync(Arg.Any<PeerAddress>(), Arg.Any<PeerHello>(), Arg.Any<CancellationToken>())
            .Returns(call => Welcome(kit, call.Arg<PeerHello>(), confirm: true));

        (await kit.Connections.ConnectAsync(Stranger, CancellationToken.None)).ShouldBeTrue();
        (await kit.Connections.ConnectAsync("http://10.0.2.2:8333", CancellationToken.None)).ShouldBeFalse();

        kit.Connections.OutboundCount.ShouldBe(1);
        await kit.Client.Received(1).HandshakeAsync(Arg.Any<PeerAddress>(), Arg.Any<PeerHello>(), Arg.Any<CancellationToken>());
    }

    [Test]
    public async Task Inbound_peers_take_only_the_slots_outbound_ones_leave_and_a_lone_protected_peer_is_not_evicted()
    {
        using var kit = await PeerUnitKit.StartAsync(configure: o => (o.MaxOutbound, o.MaxPeers) = (2, 3));
        var first = await kit.ConnectInboundAsync();
        kit.Confirms(Stranger);

        var (_, refusal) = await kit.Connections.AcceptAsync(PeerUnitKit.Hello(Stranger), null, CancellationToken.None);

        kit.Connections.MaxInbound.ShouldBe(1);
        refusal!.Code.ShouldBe(PeerCodes.TooManyPeers);
        kit.Connections.Peers.ShouldBe([first]);
    }

    [Test]
    public async Task A_newcomer_to_a_full_inbound_set_evicts_the_youngest_unprotected_peer_and_spares_a_source_of_novel_blocks()
    {
        using var kit = await PeerUnitKit.StartAsync(configure: o => (o.MaxOutbound, o.MaxPeers) = (0, 10));
        var inbound = new List<Peer>();
        for (var i = 0; i < 10; i++)
        {
            inbound.Add(await kit.ConnectInboundAsync());
            kit.Clock.Advance(TimeSpan.FromMinutes(1));
        }

        inbound[^1].LastNovelBlock = kit.Clock.GetUtcNow();

        var newcomer = await kit.ConnectInboundAsync(Stranger);

        kit.Connections.Count.ShouldBe(10);
        kit.Connections.FindBySession(inbound[^2].SessionIn).ShouldBeNull("the youngest peer without a protection makes room");
        kit.Connections.FindBySession(inbound[^1].SessionIn).ShouldNotBeNull("a peer that just sent a novel block is protected");
        kit.Connections.FindBySession(newcomer.SessionIn).ShouldNotBeNull();
        inbound.Take(8).ShouldAllBe(p => kit.Connections.FindBySession(p.SessionIn) != null);
    }

    [Test]
    public async Task Invalid_data_drops_the_session_bans_its_address_and_forgets_it_in_the_store()
    {
        using var kit = await PeerUnitKit.StartAsync();
        var peer = await kit.ConnectInboundAsync(Stranger, IPAddress.Parse("198.51.100.9"));

        await kit.Connections.MisbehavingAsync(peer, ValidationResult.Invalid(RejectCodes.BadPow, "bad proof of work"));

        peer.Score.ShouldBe(Misbehaviour.BanThreshold);
        kit.Connections.FindBySession(peer.SessionIn).ShouldBeNull();
        kit.Bans.IsBanned(Stranger).ShouldBeTrue();
        kit.Bans.IsBanned("198.51.100.9").ShouldBeTrue("the remote address it came from is banned too");
        await kit.PeerStore.Received(1).RemoveAddressAsync(Stranger, Arg.Any<CancellationToken>());
        (await kit.Connections.AcceptAsync(PeerUnitKit.Hello(Stranger), null, CancellationToken.None)).Refusal!.Code.ShouldBe(PeerCodes.PeerBanned);
    }

    [Test]
    public async Task Every_ban_of_a_misbehaving_peer_is_in_force_before_it_is_let_go_while_the_store_is_still_writing()
    {
        using var kit = await PeerUnitKit.StartAsync();
        var peer = await kit.ConnectInboundAsync(Stranger, IPAddress.Parse("198.51.100.9"));
        var storeWrites = new TaskCompletionSource();
        kit.PeerStore.UpsertBanAsync(Arg.Any<BanRecord>(), Arg.Any<CancellationToken>()).Returns(storeWrites.Task);

        var charging = kit.Connections.MisbehavingAsync(peer, ValidationResult.Invalid(RejectCodes.BadPow, "bad proof of work"));

        kit.Connections.FindBySession(peer.SessionIn).ShouldBeNull("the peer is let go at once");
        charging.IsCompleted.ShouldBeFalse("the bans are still being stored");
        kit.Bans.IsBanned(Stranger).ShouldBeTrue();
        kit.Bans.IsBanned("198.51.100.9").ShouldBeTrue("its IP is banned before it can come back under another name");
        (await kit.Connections.AcceptAsync(PeerUnitKit.Hello("http://203.0.113.77:8333"), IPAddress.Parse("198.51.100.9"), CancellationToken.None)).Refusal!.Code.ShouldBe(PeerCodes.PeerBanned);
        storeWrites.SetResult();
        await charging;
    }

    [TestCase(ValidationCategory.Policy)]
    [TestCase(ValidationCategory.Duplicate)]
    [TestCase(ValidationCategory.MissingInputs)]
    public async Task What_honest_peers_send_every_day_costs_nothing(ValidationCategory category)
    {
        using var kit = await PeerUnitKit.StartAsync();
        var peer = await kit.ConnectInboundAsync(Stranger);

        await kit.Connections.MisbehavingAsync(peer, new ValidationResult("some-code", "refused", category));

        peer.Score.ShouldBe(0);
        kit.Connections.FindBySession(peer.SessionIn).ShouldBe(peer);
        kit.Bans.IsBanned(Stranger).ShouldBeFalse();
    }

    [Test]
    public async Task A_local_remote_address_is_never_banned_only_the_peers_own_address()
    {
        using var kit = await PeerUnitKit.StartAsync();
        var peer = await kit.ConnectInboundAsync(Stranger, IPAddress.Loopback);

        await kit.Connections.MisbehavingAsync(peer, new PeerProtocolException(PeerCodes.OversizedAnswer, "too big"));

        kit.Bans.IsBanned(Stranger).ShouldBeTrue();
        kit.Bans.IsBanned("127.0.0.1").ShouldBeFalse();
    }

    [Test]
    public async Task Only_the_token_a_session_was_given_finds_it_and_only_while_it_is_open()
    {
        using var kit = await PeerUnitKit.StartAsync();
        var peer = await kit.ConnectInboundAsync(Stranger);

        kit.Connections.FindBySession(peer.SessionIn).ShouldBe(peer);
        kit.Connections.FindBySession(null).ShouldBeNull();
        kit.Connections.FindBySession("not-a-token").ShouldBeNull();
        kit.Connections.FindBySession(PeerUnitKit.Token()).ShouldBeNull();
        kit.Connections.FindBySession(peer.SessionIn.ToUpperInvariant()).ShouldBeNull();
        kit.Connections.FindBySession(peer.SessionOut).ShouldBeNull("the token this node presents to the peer is not the one the peer presents here");

        kit.Connections.Disconnect(peer, "test").ShouldBeTrue();
        kit.Connections.FindBySession(peer.SessionIn).ShouldBeNull();
    }

    /// <summary>What a remote that received <paramref name="hello"/> answers: it calls back to confirm the nonce first when <paramref name="confirm"/>.</summary>
    private static PeerWelcome Welcome(PeerUnitKit kit, PeerHello hello, bool confirm)
    {
        if (confirm)
        {
            kit.Connections.Confirm(new PeerConfirmRequest(hello.Nonce, "remote")).ShouldNotBeNull();
        }

        return new PeerWelcome("remote", Stranger, PeerUnitKit.Params.Name, PeerUnitKit.Params.GenesisHash.ToString(), 0, PeerUnitKit.Params.GenesisHash.ToString(), PeerUnitKit.Token());
    }
}
