using System.Security.Cryptography;
using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;
using ChainCore.Node.Network;
using NSubstitute;
using NSubstitute.ExceptionExtensions;

namespace ChainCore.Tests.Unit.Network;

/// <summary><see cref="PeerMessageHandler"/> with the announcing peers behind a substitute <see cref="IPeerClient"/>: what it fetches, what it skips, whom it charges.</summary>
[TestFixture, Category("Unit"), Category("Network")]
public sealed class PeerMessageHandlerTests
{
    private static Hash256 SomeTxId() => new(RandomNumberGenerator.GetBytes(32));

    [Test]
    public async Task A_block_announced_by_two_peers_while_its_fetch_is_in_flight_is_fetched_once()
    {
        using var kit = await PeerUnitKit.StartAsync();
        var (alice, bob) = (await kit.ConnectInboundAsync(), await kit.ConnectInboundAsync());
        var block = PeerUnitKit.Branch(PeerUnitKit.Params.Genesis, 0, 1)[0];
        var answer = new TaskCompletionSource<Block?>(TaskCreationOptions.RunContinuationsAsynchronously);
        kit.Client.GetBlockAsync(alice, block.Hash, Arg.Any<CancellationToken>()).Returns(answer.Task);

        var fromAlice = kit.Messages.OnAnnouncementAsync(alice, [block.Header], [], CancellationToken.None);
        await kit.Messages.OnAnnouncementAsync(bob, [block.Header], [], CancellationToken.None);
        answer.SetResult(null);
        await fromAlice;

        await kit.Client.Received(1).GetBlockAsync(Arg.Any<Peer>(), block.Hash, Arg.Any<CancellationToken>());
        await kit.Client.DidNotReceive().GetBlockAsync(bob, Arg.Any<Hash256>(), Arg.Any<CancellationToken>());

        // Once that fetch is over, the next announcement is fetched again.
        await kit.Messages.OnAnnouncementAsync(bob, [block.Header], [], CancellationToken.None);
        await kit.Client.Received(1).GetBlockAsync(bob, block.Hash, Arg.Any<CancellationToken>());
    }

    [Test]
    public async Task An_announced_block_that_extends_the_tip_is_fetched_and_connected()
    {
        using var kit = await PeerUnitKit.StartAsync();
        var peer = await kit.ConnectInboundAsync();
        var block = PeerUnitKit.Branch(PeerUnitKit.Params.Genesis, 0, 1)[0];
        kit.Client.GetBlockAsync(peer, block.Hash, Arg.Any<CancellationToken>()).Returns(block);

        await kit.Messages.OnAnnouncementAsync(peer, [block.Header], [], CancellationToken.None);

        kit.Chain.Tip.Hash.ShouldBe(block.Hash);
        peer.LastNovelBlock.ShouldBe(kit.Clock.GetUtcNow());
        peer.TipHeight.ShouldBe(1);
    }

    [Test]
    public async Task A_header_with_no_more_work_than_the_tip_is_not_fetched()
    {
        using var kit = await PeerUnitKit.StartAsync(height: 2);
        var peer = await kit.ConnectInboundAsync();
        var sibling = PeerUnitKit.Branch(PeerUnitKit.Params.Genesis, 0, 1, extraNonce: 7)[0];

        await kit.Messages.OnAnnouncementAsync(peer, [sibling.Header], [], CancellationToken.None);

        await kit.Client.DidNotReceiveWithAnyArgs().GetBlockAsync(default!, default, default);
        peer.TipHash.ShouldBe(sibling.Hash);
    }

    [Test]
    public async Task A_header_whose_parent_is_unknown_asks_for_a_catch_up_instead_of_the_block()
    {
        using var kit = await PeerUnitKit.StartAsync();
        var peer = await kit.ConnectInboundAsync();
        var second = PeerUnitKit.Branch(PeerUnitKit.Params.Genesis, 0, 2)[1];

        await kit.Messages.OnAnnouncementAsync(peer, [second.Header], [], CancellationToken.None);

        await kit.Client.DidNotReceiveWithAnyArgs().GetBlockAsync(default!, default, default);
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        (await kit.Sync.NextAsync(limit.Token)).ShouldBe(peer);
    }

    [Test]
    public async Task Headers_that_do_not_link_are_charged_to_the_sender_and_nothing_is_fetched()
    {
        using var kit = await PeerUnitKit.StartAsync();
        var peer = await kit.ConnectInboundAsync();
        var branch = PeerUnitKit.Branch(PeerUnitKit.Params.Genesis, 0, 3);

        await kit.Messages.OnAnnouncementAsync(peer, [branch[0].Header, branch[2].Header], [], CancellationToken.None);

        peer.Score.ShouldBe(Misbehaviour.BanThreshold);
        kit.Connections.FindBySession(peer.SessionIn).ShouldBeNull();
        await kit.Client.DidNotReceiveWithAnyArgs().GetBlockAsync(default!, default, default);
    }

    [Test]
    public async Task A_block_other_than_the_one_asked_for_is_charged_and_not_processed()
    {
        using var kit = await PeerUnitKit.StartAsync();
        var peer = await kit.ConnectInboundAsync();
        var asked = PeerUnitKit.Branch(PeerUnitKit.Params.Genesis, 0, 1)[0];
        var other = PeerUnitKit.Branch(PeerUnitKit.Params.Genesis, 0, 1, extraNonce: 9)[0];
        kit.Client.GetBlockAsync(peer, asked.Hash, Arg.Any<CancellationToken>()).Returns(other);

        await kit.Messages.OnAnnouncementAsync(peer, [asked.Header], [], CancellationToken.None);

        peer.Score.ShouldBe(Misbehaviour.BanThreshold);
        kit.Chain.Tip.Height.ShouldBe(0);
    }

    [Test]
    public async Task A_peer_is_asked_for_at_most_100_transactions_per_announcement()
    {
        using var kit = await PeerUnitKit.StartAsync();
        var peer = await kit.ConnectInboundAsync();
        kit.Client.GetTransactionAsync(peer, Arg.Any<Hash256>(), Arg.Any<CancellationToken>()).Returns((Transaction?)null);
        var txids = Enumerable.Range(0, 150).Select(_ => SomeTxId()).ToList();

        await kit.Messages.OnAnnouncementAsync(peer, [], txids, CancellationToken.None);

        kit.Client.ReceivedCalls().Count(c => c.GetMethodInfo().Name == nameof(IPeerClient.GetTransactionAsync))
            .ShouldBe(PeerMessageHandler.MaxTransactionFetchesPerAnnouncement);
        await kit.Client.DidNotReceive().GetTransactionAsync(peer, txids[^1], Arg.Any<CancellationToken>());
        await kit.Client.Received(1).GetTransactionAsync(peer, txids[99], Arg.Any<CancellationToken>());
    }

    [Test]
    public async Task A_refused_transaction_is_charged_to_its_sender_and_not_fetched_again_from_anyone()
    {
        using var kit = await PeerUnitKit.StartAsync();
        var (alice, bob) = (await kit.ConnectInboundAsync(), await kit.ConnectInboundAsync());
        var invalid = PeerUnitKit.InvalidTransaction();
        kit.Client.GetTransactionAsync(Arg.Any<Peer>(), invalid.TxId, Arg.Any<CancellationToken>()).Returns(invalid);

        await kit.Messages.OnAnnouncementAsync(alice, [], [invalid.TxId], CancellationToken.None);
        await kit.Messages.OnAnnouncementAsync(bob, [], [invalid.TxId], CancellationToken.None);

        alice.Score.ShouldBe(Misbehaviour.BanThreshold);
        bob.Score.ShouldBe(0);
        await kit.Client.Received(1).GetTransactionAsync(Arg.Any<Peer>(), invalid.TxId, Arg.Any<CancellationToken>());
        kit.Chain.IsInMempool(invalid.TxId).ShouldBeFalse();
    }

    [Test]
    public async Task A_transaction_other_than_the_one_asked_for_is_charged_and_stops_the_fetches()
    {
        using var kit = await PeerUnitKit.StartAsync();
        var peer = await kit.ConnectInboundAsync();
        var (asked, next) = (SomeTxId(), SomeTxId());
        kit.Client.GetTransactionAsync(peer, asked, Arg.Any<CancellationToken>()).Returns(PeerUnitKit.InvalidTransaction());

        await kit.Messages.OnAnnouncementAsync(peer, [], [asked, next], CancellationToken.None);

        peer.Score.ShouldBe(Misbehaviour.BanThreshold);
        await kit.Client.DidNotReceive().GetTransactionAsync(Arg.Any<Peer>(), next, Arg.Any<CancellationToken>());
    }

    [Test]
    public async Task An_oversized_answer_is_charged_but_an_unreachable_peer_is_not()
    {
        using var kit = await PeerUnitKit.StartAsync();
        var (rude, gone) = (await kit.ConnectInboundAsync(), await kit.ConnectInboundAsync());
        var block = PeerUnitKit.Branch(PeerUnitKit.Params.Genesis, 0, 1)[0];
        kit.Client.GetBlockAsync(rude, block.Hash, Arg.Any<CancellationToken>()).ThrowsAsync(new PeerProtocolException(PeerCodes.OversizedAnswer, "too big"));
        kit.Client.GetBlockAsync(gone, block.Hash, Arg.Any<CancellationToken>()).ThrowsAsync(new HttpRequestException("connection reset"));

        await kit.Messages.OnAnnouncementAsync(rude, [block.Header], [], CancellationToken.None);
        await kit.Messages.OnAnnouncementAsync(gone, [block.Header], [], CancellationToken.None);

        rude.Score.ShouldBe(Misbehaviour.BanThreshold);
        kit.Bans.IsBanned(rude.Url).ShouldBeTrue();
        gone.Score.ShouldBe(0);
        kit.Connections.FindBySession(gone.SessionIn).ShouldBe(gone);
    }
}
