using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;
using ChainCore.Node.Mempool;
using ChainCore.Tests.Harness;
using Microsoft.Extensions.Time.Testing;

namespace ChainCore.Tests.Unit.Data;

/// <summary>
/// The rolling minimum fee rate (Bitcoin's <c>GetMinFee</c>): an eviction for room raises it to the
/// evicted package's rate plus the incremental relay fee rate; it decays only once a block has come,
/// by half-lives that depend on how full the pool is, in exact integer steps.
/// </summary>
public sealed partial class TransactionPoolTests
{
    private static Block BlockOf(params Transaction[] transactions) =>
        new(new BlockHeader(1, Hash256.Zero, Hash256.Zero, 0, 0x207fffff, 0), [.. transactions]);

    /// <summary>
    /// Two 250-byte transactions in a pool of two and 900 bytes (at least half full: a 12-hour
    /// half-life), after the cheapest, 10,000 per 1,000 bytes, was evicted: the minimum is 11,000.
    /// </summary>
    private static (TransactionPool Pool, FakeTimeProvider Clock, Transaction Kept, Transaction Entered) AfterOneEviction(int seed)
    {
        var random = TestSeed.NewRandom(seed);
        var clock = new FakeTimeProvider();
        var pool = new TransactionPool(maxTransactions: 2, maxBytes: 900, clock: clock);
        var cheap = SizedTx(random, 250);
        var kept = SizedTx(random, 250);
        var entered = SizedTx(random, 250);
        pool.TryAdd(Entry(pool, cheap, 2_500)).IsValid.ShouldBeTrue();
        pool.TryAdd(Entry(pool, kept, 5_000)).IsValid.ShouldBeTrue();
        pool.MinimumFeePerKb.ShouldBe(0);

        pool.TryAdd(Entry(pool, entered, 7_500), out var evicted).IsValid.ShouldBeTrue();
        evicted.ShouldBe([cheap.TxId]);
        pool.MinimumFeePerKb.ShouldBe(11_000);
        return (pool, clock, kept, entered);
    }

    [Test]
    public void The_minimum_fee_rate_stays_zero_while_nothing_is_evicted_for_room()
    {
        var random = TestSeed.NewRandom(40);
        var clock = new FakeTimeProvider();
        var pool = new TransactionPool(maxTransactions: 2, maxBytes: 1_000_000, clock: clock);
        var first = SizedTx(random, 200);
        var second = SizedTx(random, 200);
        var later = SizedTx(random, 200);
        pool.TryAdd(Entry(pool, first, 20_000)).IsValid.ShouldBeTrue();
        pool.TryAdd(Entry(pool, second, 20_000)).IsValid.ShouldBeTrue();

        pool.TryAdd(Entry(pool, SizedTx(random, 200), 1_000)).Code.ShouldBe(RejectCodes.MempoolFull);
        pool.RemoveForBlock(BlockOf(first, SizedTx(random, 200, second.Inputs[0].PreviousOutput))).Count.ShouldBe(2, "one confirmed, one conflicted");
        pool.TryAdd(Entry(pool, later, 1_000)).IsValid.ShouldBeTrue();
        pool.RemoveWithDescendants(later.TxId).ShouldBe([later.TxId]);
        pool.TrimToSize().ShouldBeEmpty();
        clock.Advance(TimeSpan.FromDays(1));

        pool.MinimumFeePerKb.ShouldBe(0, "a refusal, a block, a removal and a trim within bounds evict nothing for room");
    }

    [Test]
    public void An_eviction_for_room_raises_the_minimum_to_the_evicted_package_rate_plus_the_incremental_rate([Values(1_000, 250)] long incremental)
    {
        var random = TestSeed.NewRandom(41);
        var pool = new TransactionPool(maxTransactions: 3, maxBytes: 1_000_000, new MempoolLimits { IncrementalRelayFeePerKb = incremental }, new FakeTimeProvider());
        var parent = SizedTx(random, 200);
        var child = SizedTx(random, 300, Out(parent));
        var dear = SizedTx(random, 200);
        pool.TryAdd(Entry(pool, parent, 200)).IsValid.ShouldBeTrue();
        pool.TryAdd(Entry(pool, child, 2_101)).IsValid.ShouldBeTrue();
        pool.TryAdd(Entry(pool, dear, 4_000)).IsValid.ShouldBeTrue();

        pool.TryAdd(Entry(pool, SizedTx(random, 200), 2_000), out var evicted).IsValid.ShouldBeTrue();

        evicted.ShouldBe([parent.TxId, child.TxId], ignoreOrder: true);
        pool.MinimumFeePerKb.ShouldBe(4_602 + incremental, "the package paid 2,301 for 500 bytes: 4,602 per 1,000 bytes, rounded down");
    }

    [Test]
    public void Trimming_after_a_reorg_raises_the_minimum_to_the_dearest_evicted_package_plus_the_incremental_rate()
    {
        var random = TestSeed.NewRandom(42);
        var pool = new TransactionPool(maxTransactions: 2, maxBytes: 1_000_000, clock: new FakeTimeProvider());
        foreach (var fee in new[] { 1_000L, 1_201L, 3_000L, 4_000L })
        {
            pool.Add(Entry(pool, SizedTx(random, 200), fee));
        }

        pool.MinimumFeePerKb.ShouldBe(0, "transactions of disconnected blocks enter past the bounds");
        pool.TrimToSize().Count.ShouldBe(2);

        pool.MinimumFeePerKb.ShouldBe(7_005, "the dearer of the two evicted paid 1,201 for 200 bytes: 6,005 per 1,000");
    }

    [Test]
    public void The_minimum_does_not_decay_until_a_block_has_come_and_then_decays_from_the_block()
    {
        var (pool, clock, _, _) = AfterOneEviction(43);

        clock.Advance(TimeSpan.FromDays(30));
        pool.MinimumFeePerKb.ShouldBe(11_000, "no block since the rise");
        var cheaper = SizedTx(TestSeed.NewRandom(51), 250);
        pool.Add(Entry(pool, cheaper, 1_250));
        pool.TrimToSize().ShouldBe([cheaper.TxId]);
        pool.MinimumFeePerKb.ShouldBe(11_000, "a cheaper eviction, 5,000 + 1,000, does not lower it");
        pool.RemoveForBlock(BlockOf());
        pool.MinimumFeePerKb.ShouldBe(11_000, "the decay starts with the block");
        clock.Advance(TimeSpan.FromHours(12));

        pool.MinimumFeePerKb.ShouldBe(5_500);
    }

    [Test]
    public void After_a_block_the_minimum_halves_every_twelve_hours_in_exact_integer_steps()
    {
        var (pool, clock, _, _) = AfterOneEviction(44);
        pool.RemoveForBlock(BlockOf());

        var expected = new (int Hours, long Rate)[]
        {
            (1, 10_542), // 11,000 - 11,000 × 1/24 (rounded down): within a half-life, a straight line to half
            (6, 8_250),
            (7, 7_792),
            (12, 5_500),
            (18, 4_125),
            (24, 2_750),
            (36, 1_375),
        };
        var elapsed = 0;
        foreach (var (hours, rate) in expected)
        {
            clock.Advance(TimeSpan.FromHours(hours - elapsed));
            elapsed = hours;
            pool.MinimumFeePerKb.ShouldBe(rate, $"{hours} hours after the block");
        }
    }

    [TestCase(1, 6, TestName = "Under half full the minimum halves every six hours")]
    [TestCase(2, 3, TestName = "Under a quarter full the minimum halves every three hours")]
    public void A_pool_emptier_by_bytes_forgets_sooner(int confirmed, int halfLifeHours)
    {
        var (pool, clock, kept, entered) = AfterOneEviction(45);
        pool.RemoveForBlock(BlockOf(new[] { kept, entered }[..confirmed]));
        pool.Bytes.ShouldBe(500 - (250 * confirmed));

        clock.Advance(TimeSpan.FromHours(halfLifeHours));
        pool.MinimumFeePerKb.ShouldBe(5_500);
        clock.Advance(TimeSpan.FromMinutes(30 * halfLifeHours));
        pool.MinimumFeePerKb.ShouldBe(4_125);
        clock.Advance(TimeSpan.FromMinutes(30 * halfLifeHours));
        pool.MinimumFeePerKb.ShouldBe(2_750);
    }

    [Test]
    public void A_change_of_fullness_keeps_what_decayed_and_goes_on_at_the_new_pace()
    {
        var (pool, clock, kept, _) = AfterOneEviction(46);
        pool.RemoveForBlock(BlockOf());
        clock.Advance(TimeSpan.FromHours(6));
        pool.MinimumFeePerKb.ShouldBe(8_250, "half a 12-hour half-life");

        pool.RemoveForBlock(BlockOf(kept));
        pool.MinimumFeePerKb.ShouldBe(8_250, "the pool is under half full from now on");
        clock.Advance(TimeSpan.FromHours(6));
        pool.MinimumFeePerKb.ShouldBe(4_125);
        clock.Advance(TimeSpan.FromHours(3));
        pool.MinimumFeePerKb.ShouldBe(3_094, "4,125 - 4,125 × 3/12, rounded down");

        pool.TryAdd(Entry(pool, SizedTx(TestSeed.NewRandom(47), 250), 10_000)).IsValid.ShouldBeTrue();
        pool.MinimumFeePerKb.ShouldBe(3_094, "half full again");
        clock.Advance(TimeSpan.FromHours(12));
        pool.MinimumFeePerKb.ShouldBe(1_547);
    }

    [Test]
    public void The_minimum_never_rises_while_it_decays_and_drops_to_zero_under_half_the_incremental_rate()
    {
        var (pool, clock, _, _) = AfterOneEviction(48);
        var (twin, twinClock, _, _) = AfterOneEviction(48);
        pool.RemoveForBlock(BlockOf());
        twin.RemoveForBlock(BlockOf());

        var readings = new List<long>();
        for (var minutes = 0; minutes <= 60 * 60; minutes += 7)
        {
            readings.Add(pool.MinimumFeePerKb);
            if (minutes == (48 * 60) + 4)
            {
                readings[^1].ShouldBe(1_000, "11,000 halved four times is 687, under the incremental rate but not under half of it");
            }

            clock.Advance(TimeSpan.FromMinutes(7));
        }

        readings.ShouldBe(readings.OrderByDescending(r => r).ToList(), "never higher than before");
        readings.ShouldContain(0);
        readings.SkipWhile(r => r != 0).ShouldAllBe(r => r == 0);
        readings.Where(r => r is > 0 and < 1_000).ShouldBeEmpty("the incremental rate, or zero");

        twinClock.Advance(TimeSpan.FromMinutes(7 * 400));
        twin.MinimumFeePerKb.ShouldBe(readings[400], "the same whether it was read often or not at all");
        twinClock.Advance(TimeSpan.FromHours(54) - TimeSpan.FromMinutes(7 * 400));
        twin.MinimumFeePerKb.ShouldBe(1_000, "at 4.5 half-lives: 687 - 171 = 516, not under half the incremental rate");
        twinClock.Advance(TimeSpan.FromHours(3));
        twin.MinimumFeePerKb.ShouldBe(0, "at 4.75 half-lives: 687 - 257 = 430");
    }

    [Test]
    public void Only_an_eviction_above_the_decayed_minimum_raises_it_and_stops_the_decay_until_the_next_block()
    {
        var (pool, clock, kept, _) = AfterOneEviction(49);
        var random = TestSeed.NewRandom(50);
        pool.RemoveForBlock(BlockOf());
        clock.Advance(TimeSpan.FromHours(24));
        pool.MinimumFeePerKb.ShouldBe(2_750);

        var cheap = SizedTx(random, 250);
        pool.Add(Entry(pool, cheap, 250));
        pool.TrimToSize().ShouldBe([cheap.TxId]);
        pool.MinimumFeePerKb.ShouldBe(2_750, "1,000 + 1,000 is below the decayed minimum");
        clock.Advance(TimeSpan.FromHours(12));
        pool.MinimumFeePerKb.ShouldBe(1_375, "it goes on decaying");

        pool.TryAdd(Entry(pool, SizedTx(random, 250), 20_000), out var evicted).IsValid.ShouldBeTrue();
        evicted.ShouldBe([kept.TxId]);
        pool.MinimumFeePerKb.ShouldBe(21_000, "kept paid 20,000 per 1,000 bytes");
        clock.Advance(TimeSpan.FromDays(2));
        pool.MinimumFeePerKb.ShouldBe(21_000, "no block since this rise");
        pool.RemoveForBlock(BlockOf());
        clock.Advance(TimeSpan.FromHours(12));
        pool.MinimumFeePerKb.ShouldBe(10_500);
    }
}
