using System.Collections.Concurrent;
using System.Security.Cryptography;
using ChainCore.Core.Primitives;
using ChainCore.Node.Network;
using ChainCore.Tests.Harness;
using Microsoft.Extensions.Logging.Abstractions;
using NSubstitute;
using static ChainCore.Tests.Harness.Waits;

namespace ChainCore.Tests.Unit.Network;

/// <summary>
/// <see cref="RelayService"/> announcing to peers behind a substitute <see cref="IPeerClient"/>: to whom,
/// in what batches, what a full outbox drops, and how an unreachable or silent peer is kept from the others.
/// </summary>
[TestFixture, Category("Unit"), Category("Network")]
public sealed class RelayServiceTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);

    private static RelayService RelayOf(PeerUnitKit kit) => new(kit.Chain, kit.Connections, kit.Client, NullLogger<RelayService>.Instance);

    private static Hash256 SomeTxId() => new(RandomNumberGenerator.GetBytes(32));

    private static void Announce(RelayService relay, BlockHeader header) => relay.Announce(header.GetHash(), new BlockAnnouncement(header));

    private static void Announce(RelayService relay, Hash256 txid) => relay.Announce(txid, new TransactionAnnouncement(txid));

    /// <summary>Every announcement <paramref name="peer"/> is sent, in order; each call is answered by <paramref name="answer"/> (at once when null).</summary>
    private static ConcurrentQueue<Sent> Record(PeerUnitKit kit, Peer peer, Func<CancellationToken, Task>? answer = null)
    {
        var sent = new ConcurrentQueue<Sent>();
        kit.Client.AnnounceAsync(peer, Arg.Any<IReadOnlyList<BlockHeader>>(), Arg.Any<IReadOnlyList<Hash256>>(), Arg.Any<CancellationToken>())
            .Returns(call =>
            {
                sent.Enqueue(new Sent([.. call.ArgAt<IReadOnlyList<BlockHeader>>(1)], [.. call.ArgAt<IReadOnlyList<Hash256>>(2)]));
                return answer?.Invoke(call.ArgAt<CancellationToken>(3)) ?? Task.CompletedTask;
            });
        return sent;
    }

    private static Task WaitForAsync(ConcurrentQueue<Sent> sent, int calls) =>
        WaitUntilAsync(() => sent.Count >= calls, () => $"{sent.Count} announcements sent: {string.Join(", ", sent)}", Limit);

    private static TaskCompletionSource Gate() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    [Test]
    public async Task A_block_and_a_transaction_are_announced_to_every_peer()
    {
        using var kit = await PeerUnitKit.StartAsync();
        Peer[] peers = [await kit.ConnectInboundAsync(), await kit.ConnectInboundAsync(), await kit.ConnectInboundAsync()];
        var sent = peers.Select(p => Record(kit, p)).ToArray();
        var header = PeerUnitKit.Branch(PeerUnitKit.Params.Genesis, 0, 1)[0].Header;
        var txid = SomeTxId();
        var relay = RelayOf(kit);

        Announce(relay, header);
        Announce(relay, txid);

        foreach (var peer in sent)
        {
            await WaitUntilAsync(() => peer.Sum(s => s.Headers.Length + s.TxIds.Length) >= 2, () => string.Join(", ", peer), Limit);
            peer.SelectMany(s => s.Headers).ShouldBe([header]);
            peer.SelectMany(s => s.TxIds).ShouldBe([txid]);
        }
    }

    [Test]
    public async Task Nothing_is_announced_twice_or_to_a_peer_known_to_have_it()
    {
        using var kit = await PeerUnitKit.StartAsync();
        var (alice, bob) = (await kit.ConnectInboundAsync(), await kit.ConnectInboundAsync());
        var (toAlice, toBob) = (Record(kit, alice), Record(kit, bob));
        var (first, second) = (SomeTxId(), SomeTxId());
        alice.Known.Add(first);
        var relay = RelayOf(kit);

        Announce(relay, first);
        await WaitForAsync(toBob, 1);
        Announce(relay, first);
        Announce(relay, second);
        await WaitUntilAsync(() => toAlice.Concat(toBob).Count(s => s.TxIds.Contains(second)) == 2, () => $"alice: {string.Join(", ", toAlice)}; bob: {string.Join(", ", toBob)}", Limit);

        toAlice.SelectMany(s => s.TxIds).ShouldBe([second]);
        toBob.SelectMany(s => s.TxIds).ShouldBe([first, second]);
    }

    [Test]
    public async Task An_announcement_a_peer_already_has_takes_no_room_in_its_outbox()
    {
        using var kit = await PeerUnitKit.StartAsync(configure: o => o.MaxQueuedAnnouncements = 1);
        var peer = await kit.ConnectInboundAsync();
        var gate = Gate();
        var sent = Record(kit, peer, _ => gate.Task);
        var (inFlight, waiting, known) = (SomeTxId(), SomeTxId(), SomeTxId());
        peer.Known.Add(known);
        var relay = RelayOf(kit);

        Announce(relay, inFlight);
        await WaitForAsync(sent, 1);
        Announce(relay, waiting);
        Announce(relay, known);
        gate.SetResult();

        await WaitForAsync(sent, 2);
        sent.SelectMany(s => s.TxIds).ShouldBe([inFlight, waiting]);
    }

    [Test]
    public async Task An_announcement_carries_at_most_8_headers_and_the_rest_follow_in_order()
    {
        using var kit = await PeerUnitKit.StartAsync();
        var peer = await kit.ConnectInboundAsync();
        var gate = Gate();
        var sent = Record(kit, peer, _ => gate.Task);
        var headers = PeerUnitKit.Branch(PeerUnitKit.Params.Genesis, 0, 21).Select(b => b.Header).ToList();
        var relay = RelayOf(kit);

        // The first goes out alone; the rest wait in the outbox until it is answered.
        Announce(relay, headers[0]);
        await WaitForAsync(sent, 1);
        headers.Skip(1).ToList().ForEach(h => Announce(relay, h));
        gate.SetResult();

        await WaitForAsync(sent, 4);
        sent.Select(s => s.Headers.Length).ShouldBe([1, 8, 8, 4]);
        sent.SelectMany(s => s.Headers).ShouldBe(headers);
    }

    [Test]
    public async Task The_headers_of_one_announcement_always_chain_across_a_reorg_and_a_header_the_peer_has()
    {
        using var kit = await PeerUnitKit.StartAsync();
        var peer = await kit.ConnectInboundAsync();
        var gate = Gate();
        var sent = Record(kit, peer, _ => gate.Task);
        var old = PeerUnitKit.Branch(PeerUnitKit.Params.Genesis, 0, 2).Select(b => b.Header).ToList();
        var reorg = PeerUnitKit.Branch(PeerUnitKit.Params.Genesis, 0, 5, extraNonce: 1).Select(b => b.Header).ToList();
        peer.Known.Add(reorg[3].GetHash());
        var relay = RelayOf(kit);

        // Connected in this order: the old branch's first block (out alone while the rest wait), its
        // second, then the new branch from genesis, whose fourth block the peer already has.
        Announce(relay, old[0]);
        await WaitForAsync(sent, 1);
        Announce(relay, old[1]);
        reorg.ForEach(h => Announce(relay, h));
        gate.SetResult();

        await WaitForAsync(sent, 4);
        static string Hashes(IEnumerable<BlockHeader> headers) => string.Join(" ", headers.Select(h => h.GetHash().ToString()[..8]));
        sent.Select(s => Hashes(s.Headers)).ShouldBe([Hashes([old[0]]), Hashes([old[1]]), Hashes(reorg[..3]), Hashes([reorg[4]])]);
        foreach (var message in sent)
        {
            PeerMessageHandler.CheckHeaders(message.Headers, PeerUnitKit.Params).IsValid.ShouldBeTrue("a peer would ban a broken sequence");
        }
    }

    [Test]
    public async Task An_announcement_carries_at_most_1000_txids_and_the_rest_follow_in_order()
    {
        using var kit = await PeerUnitKit.StartAsync(configure: o => o.MaxQueuedAnnouncements = 5_000);
        var peer = await kit.ConnectInboundAsync();
        var gate = Gate();
        var sent = Record(kit, peer, _ => gate.Task);
        var txids = Enumerable.Range(0, 2_501).Select(_ => SomeTxId()).ToList();
        var relay = RelayOf(kit);

        Announce(relay, txids[0]);
        await WaitForAsync(sent, 1);
        txids.Skip(1).ToList().ForEach(t => Announce(relay, t));
        gate.SetResult();

        await WaitForAsync(sent, 4);
        sent.Select(s => s.TxIds.Length).ShouldBe([1, 1_000, 1_000, 500]);
        sent.SelectMany(s => s.TxIds).ShouldBe(txids);
    }

    [Test]
    public async Task A_full_outbox_drops_its_oldest_announcements()
    {
        using var kit = await PeerUnitKit.StartAsync(configure: o => o.MaxQueuedAnnouncements = 3);
        var peer = await kit.ConnectInboundAsync();
        var gate = Gate();
        var sent = Record(kit, peer, _ => gate.Task);
        var txids = Enumerable.Range(0, 11).Select(_ => SomeTxId()).ToList();
        var relay = RelayOf(kit);

        Announce(relay, txids[0]);
        await WaitForAsync(sent, 1);
        txids.Skip(1).ToList().ForEach(t => Announce(relay, t));
        gate.SetResult();

        await WaitForAsync(sent, 2);
        sent.SelectMany(s => s.TxIds).ShouldBe([txids[0], .. txids[^3..]]);
    }

    [Test]
    public async Task An_unreachable_peer_is_disconnected_and_the_others_still_hear_every_announcement()
    {
        using var kit = await PeerUnitKit.StartAsync();
        var (alice, bob) = (await kit.ConnectInboundAsync(), await kit.ConnectInboundAsync());
        var toAlice = Record(kit, alice, _ => throw new HttpRequestException("connection refused"));
        var toBob = Record(kit, bob);
        var (first, second) = (SomeTxId(), SomeTxId());
        var relay = RelayOf(kit);

        Announce(relay, first);
        await WaitUntilAsync(() => !kit.Connections.Peers.Contains(alice), () => string.Join(", ", kit.Connections.Peers), Limit);
        Announce(relay, second);
        await WaitUntilAsync(() => toBob.Sum(s => s.TxIds.Length) == 2, () => string.Join(", ", toBob), Limit);

        toBob.SelectMany(s => s.TxIds).ShouldBe([first, second]);
        toAlice.Count.ShouldBe(1);
        kit.Connections.Peers.ShouldBe([bob]);
    }

    [Test]
    public async Task A_peer_that_does_not_answer_holds_up_only_its_own_announcements()
    {
        using var kit = await PeerUnitKit.StartAsync();
        var (alice, bob) = (await kit.ConnectInboundAsync(), await kit.ConnectInboundAsync());
        var toAlice = Record(kit, alice, ct => Task.Delay(Timeout.Infinite, ct));
        var toBob = Record(kit, bob);
        var txids = Enumerable.Range(0, 3).Select(_ => SomeTxId()).ToList();
        var relay = RelayOf(kit);

        foreach (var txid in txids)
        {
            Announce(relay, txid);
            await WaitUntilAsync(() => toBob.Any(s => s.TxIds.Contains(txid)), () => string.Join(", ", toBob), Limit);
        }

        toAlice.Count.ShouldBe(1);
        kit.Connections.Peers.ShouldContain(alice);
    }

    [TestCase(400, true)]
    [TestCase(401, false)]
    public async Task A_peer_that_refuses_an_announcement_stays_unless_it_no_longer_knows_the_session(int status, bool stays)
    {
        using var kit = await PeerUnitKit.StartAsync();
        var peer = await kit.ConnectInboundAsync();
        var calls = 0;
        var sent = Record(kit, peer, _ => Interlocked.Increment(ref calls) == 1 ? throw new PeerRefusedException(status, "refused", "no") : Task.CompletedTask);
        var (first, second) = (SomeTxId(), SomeTxId());
        var relay = RelayOf(kit);

        Announce(relay, first);

        if (stays)
        {
            await WaitForAsync(sent, 1);
            Announce(relay, second);
            await WaitForAsync(sent, 2);
            sent.SelectMany(s => s.TxIds).ShouldBe([first, second]);
            kit.Connections.Peers.ShouldBe([peer]);
        }
        else
        {
            await WaitUntilAsync(() => kit.Connections.Peers.Count == 0, () => string.Join(", ", kit.Connections.Peers), Limit);
            sent.Count.ShouldBe(1);
        }
    }

    [Test]
    public async Task Disconnecting_a_peer_cancels_the_announcement_it_has_not_answered()
    {
        using var kit = await PeerUnitKit.StartAsync();
        var peer = await kit.ConnectInboundAsync();
        var sent = Record(kit, peer, ct => Task.Delay(Timeout.Infinite, ct));
        var relay = RelayOf(kit);
        Announce(relay, SomeTxId());
        await WaitForAsync(sent, 1);

        kit.Connections.Disconnect(peer, "test").ShouldBeTrue();

        await WaitUntilAsync(() => peer.Sender.IsCompleted, () => $"sender {peer.Sender.Status}", Limit);
        peer.Sender.IsCompletedSuccessfully.ShouldBeTrue();
    }

    [Test]
    public async Task Connected_blocks_are_announced_by_their_headers_and_stopping_ends_the_relay_cleanly()
    {
        using var kit = await PeerUnitKit.StartAsync();
        var peer = await kit.ConnectInboundAsync();
        var sent = Record(kit, peer);
        using var relay = RelayOf(kit);
        var connected = new List<BlockHeader>();
        async Task ConnectNextAsync()
        {
            var block = BlockFactory.Next(kit.Chain.Tip, new byte[20], PeerUnitKit.Params);
            (await kit.Chain.ProcessBlockAsync(block)).BecameTip.ShouldBeTrue();
            connected.Add(block.Header);
        }

        await relay.StartAsync(CancellationToken.None);

        // The relay subscribes on a thread of its own once started: a block connected before that is not announced.
        await WaitUntilAsync(
            async () =>
            {
                if (sent.IsEmpty)
                {
                    await ConnectNextAsync();
                }

                return !sent.IsEmpty;
            },
            () => Task.FromResult($"{connected.Count} blocks connected, none announced"),
            Limit);
        await ConnectNextAsync();
        await WaitUntilAsync(() => sent.Any(s => s.Headers.Contains(connected[^1])), () => string.Join(", ", sent), Limit);

        var first = connected.IndexOf(sent.First().Headers[0]);
        sent.SelectMany(s => s.Headers).ShouldBe(connected[first..]);
        sent.ShouldAllBe(s => s.TxIds.Length == 0);
        await relay.StopAsync(CancellationToken.None);
        relay.ExecuteTask!.IsCompletedSuccessfully.ShouldBeTrue();
    }

    private sealed record Sent(BlockHeader[] Headers, Hash256[] TxIds)
    {
        public override string ToString() => $"[{Headers.Length} headers, {TxIds.Length} txids]";
    }
}
