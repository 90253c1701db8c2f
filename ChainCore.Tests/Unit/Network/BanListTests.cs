using ChainCore.Node.Network;
using ChainCore.Node.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;
using NSubstitute.ExceptionExtensions;

namespace ChainCore.Tests.Unit.Network;

[TestFixture, Category("Unit"), Category("Network")]
public sealed class BanListTests
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));

    [Test]
    public async Task A_ban_is_stored_before_it_returns_and_ends_on_the_nodes_clock()
    {
        var store = Substitute.For<IPeerStore>();
        var bans = new BanList(store, _clock, NullLogger<BanList>.Instance);

        await bans.BanAsync("198.51.100.7", TimeSpan.FromHours(1), "bad-blk");

        await store.Received(1).UpsertBanAsync(new BanRecord("198.51.100.7", _clock.GetUtcNow() + TimeSpan.FromHours(1), "bad-blk"), Arg.Any<CancellationToken>());
        bans.IsBanned("198.51.100.7").ShouldBeTrue();
        bans.IsBanned("198.51.100.8").ShouldBeFalse();
        bans.List().Single().Reason.ShouldBe("bad-blk");

        _clock.Advance(TimeSpan.FromHours(1));
        bans.IsBanned("198.51.100.7").ShouldBeFalse();
        bans.List().ShouldBeEmpty();
        await store.Received(1).RemoveBanAsync("198.51.100.7", Arg.Any<CancellationToken>());
    }

    [Test]
    public async Task Stored_bans_in_force_are_loaded_and_ended_ones_are_not()
    {
        var store = Substitute.For<IPeerStore>();
        var now = _clock.GetUtcNow();
        store.GetBansAsync(Arg.Any<CancellationToken>()).Returns([new BanRecord("http://a:1", now.AddMinutes(5), "x"), new BanRecord("http://b:1", now.AddMinutes(-5), "y")]);
        var bans = new BanList(store, _clock, NullLogger<BanList>.Instance);

        await bans.LoadAsync(CancellationToken.None);

        bans.IsBanned("http://a:1").ShouldBeTrue();
        bans.IsBanned("http://b:1").ShouldBeFalse();
    }

    [Test]
    public async Task A_store_that_fails_still_leaves_the_ban_in_force_in_memory()
    {
        var store = Substitute.For<IPeerStore>();
        store.UpsertBanAsync(Arg.Any<BanRecord>(), Arg.Any<CancellationToken>()).ThrowsAsync(new InvalidOperationException("disk full"));
        store.GetBansAsync(Arg.Any<CancellationToken>()).ThrowsAsync(new InvalidOperationException("down"));
        var bans = new BanList(store, _clock, NullLogger<BanList>.Instance);

        await bans.LoadAsync(CancellationToken.None);
        await bans.BanAsync("http://a:1", TimeSpan.FromMinutes(1), "x");

        bans.IsBanned("http://a:1").ShouldBeTrue();
    }
}
