using ChainCore.Core.Primitives;
using ChainCore.Node.Network;
using Microsoft.Extensions.Logging.Abstractions;
using NSubstitute;
using NSubstitute.ExceptionExtensions;

namespace ChainCore.Tests.Unit.Network;

/// <summary><see cref="BlockSync"/>'s headers-first catch-up against a peer behind a substitute <see cref="IPeerClient"/>.</summary>
[TestFixture, Category("Unit"), Category("Network")]
public sealed class BlockSyncTests
{
    private static BlockSync SyncOf(PeerUnitKit kit) =>
        new(kit.Chain, kit.Connections, kit.Client, kit.Messages, kit.Sync, Microsoft.Extensions.Options.Options.Create(kit.Options), NullLogger<BlockSync>.Instance);

    /// <summary>The peer answers a headers request with <paramref name="blocks"/>' headers and serves those blocks.</summary>
    private static void PeerHas(PeerUnitKit kit, Peer peer, IReadOnlyList<Block> blocks)
    {
        kit.Client.GetHeadersAsync(peer, Arg.Any<IReadOnlyList<Hash256>>(), Arg.Any<CancellationToken>())
            .Returns([.. blocks.Select(b => b.Header)], Array.Empty<BlockHeader>());
        foreach (var block in blocks)
        {
            kit.Client.GetBlockAsync(peer, block.Hash, Arg.Any<CancellationToken>()).Returns(block);
        }
    }

    [Test]
    public async Task It_asks_for_the_headers_after_its_block_locator_from_the_tip_back_to_genesis()
    {
        using var kit = await PeerUnitKit.StartAsync(height: 3);
        var peer = await kit.ConnectInboundAsync();
        kit.Client.GetHeadersAsync(peer, Arg.Any<IReadOnlyList<Hash256>>(), Arg.Any<CancellationToken>()).Returns(Array.Empty<BlockHeader>());

        (await SyncOf(kit).SyncFromAsync(peer, CancellationToken.None)).ShouldBe(0);

        var locator = (IReadOnlyList<Hash256>)kit.Client.ReceivedCalls().Single(c => c.GetMethodInfo().Name == nameof(IPeerClient.GetHeadersAsync)).GetArguments()[1]!;
        locator.ShouldBe([kit.Blocks[2].Hash, kit.Blocks[1].Hash, kit.Blocks[0].Hash, PeerUnitKit.Params.GenesisHash]);
        await kit.Client.DidNotReceiveWithAnyArgs().GetBlockAsync(default!, default, default);
    }

    [Test]
    public async Task Headers_that_lead_to_more_work_bring_the_blocks_and_the_tip_moves_to_them()
    {
        using var kit = await PeerUnitKit.StartAsync();
        var peer = await kit.ConnectInboundAsync();
        var longer = PeerUnitKit.Branch(PeerUnitKit.Params.Genesis, 0, 3);
        PeerHas(kit, peer, longer);

        (await SyncOf(kit).SyncFromAsync(peer, CancellationToken.None)).ShouldBe(3);

        kit.Chain.Tip.Hash.ShouldBe(longer[^1].Hash);
        peer.TipHeight.ShouldBe(3);
        peer.Score.ShouldBe(0);
    }

    [Test]
    public async Task Headers_that_lead_to_no_more_work_than_the_tip_download_nothing()
    {
        using var kit = await PeerUnitKit.StartAsync(height: 3);
        var peer = await kit.ConnectInboundAsync();
        PeerHas(kit, peer, PeerUnitKit.Branch(PeerUnitKit.Params.Genesis, 0, 2, extraNonce: 5));

        (await SyncOf(kit).SyncFromAsync(peer, CancellationToken.None)).ShouldBe(0);

        await kit.Client.DidNotReceiveWithAnyArgs().GetBlockAsync(default!, default, default);
        kit.Chain.Tip.Hash.ShouldBe(kit.Blocks[^1].Hash);
    }

    [Test]
    public async Task A_protocol_violation_during_the_download_stops_the_catch_up_and_charges_the_peer()
    {
        using var kit = await PeerUnitKit.StartAsync();
        var peer = await kit.ConnectInboundAsync();
        var blocks = PeerUnitKit.Branch(PeerUnitKit.Params.Genesis, 0, 3);
        PeerHas(kit, peer, blocks);
        kit.Client.GetBlockAsync(peer, blocks[1].Hash, Arg.Any<CancellationToken>()).ThrowsAsync(new PeerProtocolException(PeerCodes.MalformedAnswer, "not hex"));

        (await SyncOf(kit).SyncFromAsync(peer, CancellationToken.None)).ShouldBe(1);

        kit.Chain.Tip.Hash.ShouldBe(blocks[0].Hash, "the block before the bad answer is kept, none after it is processed");
        peer.Score.ShouldBe(Misbehaviour.BanThreshold);
        kit.Connections.FindBySession(peer.SessionIn).ShouldBeNull();
    }

    [Test]
    public async Task A_protocol_violation_in_the_headers_answer_is_charged_by_the_sync_loop()
    {
        using var kit = await PeerUnitKit.StartAsync();
        var peer = await kit.ConnectInboundAsync();
        var asked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        kit.Client.GetHeadersAsync(peer, Arg.Any<IReadOnlyList<Hash256>>(), Arg.Any<CancellationToken>())
            .ThrowsAsync(new PeerProtocolException(PeerCodes.TooManyHeaders, "2001 headers"))
            .AndDoes(_ => asked.TrySetResult());
        using var sync = SyncOf(kit);
        await sync.StartAsync(CancellationToken.None);

        kit.Sync.Request(peer);
        await asked.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await sync.StopAsync(CancellationToken.None);

        peer.Score.ShouldBe(Misbehaviour.BanThreshold);
        kit.Bans.IsBanned(peer.Url).ShouldBeTrue();
    }

    [Test]
    public async Task A_cancelled_catch_up_ends_without_charging_the_peer()
    {
        using var kit = await PeerUnitKit.StartAsync();
        var peer = await kit.ConnectInboundAsync();
        using var stop = new CancellationTokenSource();
        kit.Client.GetHeadersAsync(peer, Arg.Any<IReadOnlyList<Hash256>>(), Arg.Any<CancellationToken>())
            .Returns(async call =>
            {
                await stop.CancelAsync();
                await Task.Delay(Timeout.Infinite, call.ArgAt<CancellationToken>(2));
                return (IReadOnlyList<BlockHeader>)[];
            });

        await Should.ThrowAsync<OperationCanceledException>(() => SyncOf(kit).SyncFromAsync(peer, stop.Token));

        peer.Score.ShouldBe(0);
        kit.Connections.FindBySession(peer.SessionIn).ShouldBe(peer);
    }

    [Test]
    public async Task A_closed_session_is_not_caught_up_from()
    {
        using var kit = await PeerUnitKit.StartAsync();
        var peer = await kit.ConnectInboundAsync();
        kit.Connections.Disconnect(peer, "gone");

        (await SyncOf(kit).SyncFromAsync(peer, CancellationToken.None)).ShouldBe(0);

        await kit.Client.DidNotReceiveWithAnyArgs().GetHeadersAsync(default!, default!, default);
    }
}
