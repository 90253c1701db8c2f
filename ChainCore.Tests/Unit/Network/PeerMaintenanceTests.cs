using ChainCore.Core.Api;
using ChainCore.Core.Primitives;
using ChainCore.Node.Network;
using Microsoft.Extensions.Logging.Abstractions;
using NSubstitute;
using NSubstitute.ExceptionExtensions;

namespace ChainCore.Tests.Unit.Network;

/// <summary><see cref="PeerMaintenance"/>'s tip check of connected peers, each behind a substitute <see cref="IPeerClient"/>.</summary>
[TestFixture, Category("Unit"), Category("Network")]
public sealed class PeerMaintenanceTests
{
    private static PeerMaintenance MaintenanceOf(PeerUnitKit kit) =>
        new(kit.Connections, kit.Client, kit.Messages, Microsoft.Extensions.Options.Options.Create(kit.Options), kit.Clock, NullLogger<PeerMaintenance>.Instance);

    private static StatusResponse StatusAt(int height, Hash256 tip) =>
        new("peer", PeerUnitKit.Params.Name, height + 1, height, tip.ToString(), 1, 0, 1, "207fffff", PeerUnitKit.Params.GenesisHash.ToString());

    [Test]
    public async Task A_peer_whose_tip_is_unknown_here_and_not_lower_is_caught_up_from()
    {
        using var kit = await PeerUnitKit.StartAsync(configure: o => o.PeerExchange = false);
        var peer = await kit.ConnectInboundAsync();
        var ahead = PeerUnitKit.Branch(PeerUnitKit.Params.Genesis, 0, 2);
        kit.Client.GetStatusAsync(peer, Arg.Any<CancellationToken>()).Returns(StatusAt(2, ahead[^1].Hash));

        MaintenanceOf(kit).Tick(CancellationToken.None);

        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        (await kit.Sync.NextAsync(limit.Token)).ShouldBe(peer);
        peer.TipHeight.ShouldBe(2);
    }

    [Test]
    public async Task A_peer_that_does_not_answer_the_tip_check_is_disconnected_and_one_that_breaks_the_protocol_is_charged()
    {
        using var kit = await PeerUnitKit.StartAsync(configure: o => o.PeerExchange = false);
        var (silent, rude, fine) = (await kit.ConnectInboundAsync(), await kit.ConnectInboundAsync(), await kit.ConnectInboundAsync());
        kit.Client.GetStatusAsync(silent, Arg.Any<CancellationToken>()).ThrowsAsync(new TimeoutException("no answer"));
        kit.Client.GetStatusAsync(rude, Arg.Any<CancellationToken>()).ThrowsAsync(new PeerProtocolException(PeerCodes.MalformedAnswer, "not JSON"));
        kit.Client.GetStatusAsync(fine, Arg.Any<CancellationToken>()).Returns(StatusAt(0, PeerUnitKit.Params.GenesisHash));

        MaintenanceOf(kit).Tick(CancellationToken.None);
        await ChainCore.Tests.Harness.Waits.WaitUntilAsync(() => kit.Connections.Count == 1 && rude.Score > 0, () => $"{kit.Connections.Count} peer(s), the rude one's score {rude.Score}", TimeSpan.FromSeconds(30));

        kit.Connections.Peers.ShouldBe([fine]);
        silent.Score.ShouldBe(0);
        kit.Bans.IsBanned(silent.Url).ShouldBeFalse("an unreachable peer is dropped, not banned");
        rude.Score.ShouldBe(Misbehaviour.BanThreshold);
        kit.Bans.IsBanned(rude.Url).ShouldBeTrue();
    }

    [Test]
    public async Task A_peer_still_in_its_last_tip_check_is_not_asked_again()
    {
        using var kit = await PeerUnitKit.StartAsync(configure: o => o.PeerExchange = false);
        var peer = await kit.ConnectInboundAsync();
        var answer = new TaskCompletionSource<StatusResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        kit.Client.GetStatusAsync(peer, Arg.Any<CancellationToken>()).Returns(answer.Task);
        var maintenance = MaintenanceOf(kit);

        maintenance.Tick(CancellationToken.None);
        maintenance.Tick(CancellationToken.None);
        answer.SetResult(StatusAt(0, PeerUnitKit.Params.GenesisHash));

        await kit.Client.Received(1).GetStatusAsync(peer, Arg.Any<CancellationToken>());
    }
}
