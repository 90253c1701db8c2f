using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;
using ChainCore.Node.Chain;

namespace ChainCore.Tests.Unit.Node;

/// <summary>The writer's cache of the newest committed coins: it follows committed changes, forgets spent coins at once and stays within its bound.</summary>
[TestFixture, Category("Unit")]
public sealed class CoinCacheTests
{
    [Test]
    public void Committed_changes_add_created_coins_and_remove_spent_ones()
    {
        var cache = new CoinCache(capacity: 10);
        cache.Apply(Changes((Point(1), CoinOf(100)), (Point(2), CoinOf(200))));

        cache.Apply(Changes((Point(1), null), (Point(3), CoinOf(300))));

        cache.TryGet(Point(1), out _).ShouldBeFalse("spent");
        cache.TryGet(Point(2), out var two).ShouldBeTrue();
        two.Output.Value.Units.ShouldBe(200);
        cache.TryGet(Point(3), out _).ShouldBeTrue();
        cache.Count.ShouldBe(2);
    }

    [Test]
    public void A_coin_confirmed_again_at_another_height_replaces_the_cached_one()
    {
        var cache = new CoinCache(capacity: 10);
        cache.Apply(Changes((Point(1), CoinOf(100, height: 84))));

        // A reorg disconnects the block at 84 and confirms the same transaction at 81: one change, the new coin.
        cache.Apply(Changes((Point(1), CoinOf(100, height: 81))));

        cache.TryGet(Point(1), out var coin).ShouldBeTrue();
        coin.Height.ShouldBe(81);
        cache.Count.ShouldBe(1);
    }

    [Test]
    public void The_oldest_coins_leave_first_once_the_bound_is_reached()
    {
        var cache = new CoinCache(capacity: 3);

        foreach (var i in Enumerable.Range(0, 5))
        {
            cache.Apply(Changes((Point(i), CoinOf(i + 1))));
        }

        cache.Count.ShouldBe(3);
        cache.TryGet(Point(0), out _).ShouldBeFalse();
        cache.TryGet(Point(1), out _).ShouldBeFalse();
        foreach (var i in Enumerable.Range(2, 3))
        {
            cache.TryGet(Point(i), out _).ShouldBeTrue();
        }
    }

    [Test]
    public void Coins_created_and_spent_over_and_over_keep_its_memory_bounded()
    {
        var cache = new CoinCache(capacity: 100);
        for (var i = 0; i < 100_000; i++)
        {
            cache.Apply(Changes((Point(i), CoinOf(1))));
            cache.Apply(Changes((Point(i), null)));
        }

        cache.Count.ShouldBe(0);
        cache.Tracked.ShouldBeLessThanOrEqualTo(2 * 1024 + 1);
    }

    [Test]
    public void A_cache_of_no_coins_keeps_none_and_clearing_forgets_everything()
    {
        var none = new CoinCache(capacity: 0);
        none.Apply(Changes((Point(1), CoinOf(1))));
        none.Count.ShouldBe(0);
        none.Tracked.ShouldBe(0, "nothing is queued for a cache that keeps nothing");

        var cache = new CoinCache(capacity: 10);
        cache.Apply(Changes((Point(1), CoinOf(1))));
        cache.Clear();
        cache.TryGet(Point(1), out _).ShouldBeFalse();
        cache.Tracked.ShouldBe(0);
        Should.Throw<ArgumentNullException>(() => cache.Apply(null!));
        Should.Throw<ArgumentOutOfRangeException>(() => new CoinCache(-1));
    }

    [Test]
    public void After_the_queue_is_compacted_the_oldest_live_coins_still_leave_first()
    {
        var cache = new CoinCache(capacity: 100);
        for (var i = 0; i < 50; i++)
        {
            cache.Apply(Changes((Point(i), CoinOf(1))));
        }

        // Churn past twice the floor of 1,024 queued places, so the queue is rebuilt from the live coins.
        for (var i = 1_000; i < 4_000; i++)
        {
            cache.Apply(Changes((Point(i), CoinOf(1))));
            cache.Apply(Changes((Point(i), null)));
        }

        for (var i = 10_000; i < 10_100; i++)
        {
            cache.Apply(Changes((Point(i), CoinOf(1))));
        }

        cache.Count.ShouldBe(100);
        Enumerable.Range(0, 50).Count(i => cache.TryGet(Point(i), out _)).ShouldBe(0, "the oldest coins left first");
        Enumerable.Range(10_000, 100).Count(i => cache.TryGet(Point(i), out _)).ShouldBe(100);
    }

    // The queue of places holds spent coins until it is rebuilt, and a coin spent and confirmed again
    // twice: it is rebuilt, once from the live coins, as soon as it holds more than twice the bound
    // (at least 1,024) places, not at exactly that many.
    [TestCase(10, 2_048)]
    [TestCase(2_000, 4_000)]
    public void The_queue_of_places_is_rebuilt_from_the_live_coins_once_it_holds_more_than_twice_the_bound(int capacity, int limit)
    {
        var cache = new CoinCache(capacity);
        cache.Apply(Changes((Point(-1), CoinOf(1))));
        cache.Apply(Changes((Point(-1), null)));
        cache.Apply(Changes((Point(-1), CoinOf(1))));
        cache.Tracked.ShouldBe(2, "a coin confirmed again is queued again");

        for (var i = 0; i < limit - 2; i++)
        {
            cache.Apply(Changes((Point(i), CoinOf(1))));
            cache.Apply(Changes((Point(i), null)));
        }

        cache.Tracked.ShouldBe(limit, "not rebuilt at exactly twice the bound");
        cache.Apply(Changes((Point(limit), CoinOf(1))));

        cache.Tracked.ShouldBe(2, "rebuilt from the two live coins, each once");
        cache.Count.ShouldBe(2);
        cache.TryGet(Point(-1), out _).ShouldBeTrue();
        cache.TryGet(Point(limit), out _).ShouldBeTrue();
    }

    private static Dictionary<OutPoint, Coin?> Changes(params (OutPoint OutPoint, Coin? Coin)[] changes) => changes.ToDictionary(c => c.OutPoint, c => c.Coin);

    private static OutPoint Point(int i) => new(Hash256.Compute(BitConverter.GetBytes(i)), 0);

    private static Coin CoinOf(long units, int height = 1) => new(new TxOut(new Amount(units), [.. new byte[20]]), height, false);
}
