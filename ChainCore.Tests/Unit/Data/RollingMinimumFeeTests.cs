using ChainCore.Node.Mempool;
using Microsoft.Extensions.Time.Testing;

namespace ChainCore.Tests.Unit.Data;

/// <summary>
/// The rolling minimum fee rate on its own, at its exact edges: the fullness that picks a half-life,
/// the floor under half the incremental rate, a rise equal to the decayed rate, a rise past any rate,
/// and a half-life set again to the one in force.
/// </summary>
[TestFixture, Category("Unit")]
public sealed class RollingMinimumFeeTests
{
    private const long Incremental = 1_000;

    private readonly FakeTimeProvider _clock = new();

    private RollingMinimumFee Fee(TimeSpan? halfLife = null) => new(Incremental, _clock, halfLife ?? RollingMinimumFee.HalfLife);

    [Test]
    public void It_takes_no_negative_incremental_rate_no_clock_and_no_half_life_of_nothing()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => new RollingMinimumFee(-1, _clock, RollingMinimumFee.HalfLife));
        Should.Throw<ArgumentNullException>(() => new RollingMinimumFee(Incremental, null!, RollingMinimumFee.HalfLife));
        Should.Throw<ArgumentOutOfRangeException>(() => new RollingMinimumFee(Incremental, _clock, TimeSpan.Zero));
        new RollingMinimumFee(0, _clock, TimeSpan.FromTicks(1)).Current().ShouldBe(0);
    }

    [TestCase(249, 3)]
    [TestCase(250, 6)]
    [TestCase(499, 6)]
    [TestCase(500, 12)]
    [TestCase(1_000, 12)]
    public void A_pool_under_a_quarter_full_forgets_in_three_hours_under_half_in_six_and_else_in_twelve(long bytes, int hours)
    {
        RollingMinimumFee.HalfLifeFor(bytes, 1_000).ShouldBe(TimeSpan.FromHours(hours));
    }

    [Test]
    public void A_rise_is_the_package_rate_plus_the_incremental_rate_and_past_any_rate_it_is_the_largest()
    {
        var fee = Fee();

        fee.PackageEvicted(fees: 2_500, size: 250);
        fee.Current().ShouldBe(11_000);

        fee.PackageEvicted(fees: long.MaxValue, size: 1);
        fee.Current().ShouldBe(long.MaxValue, "the rate is capped, not wrapped round to a negative one");
    }

    [Test]
    public void Decayed_below_half_the_incremental_rate_it_is_zero_and_at_half_it_is_the_incremental_rate()
    {
        var fee = Fee(TimeSpan.FromHours(1));
        fee.PackageEvicted(fees: 0, size: 1_000);
        fee.Current().ShouldBe(Incremental);
        fee.BlockConnected();

        // From 1,000 it falls in a straight line to 500 over the first hour: 500 exactly at its end.
        _clock.Advance(TimeSpan.FromHours(1) - TimeSpan.FromSeconds(1));
        fee.Current().ShouldBe(Incremental, "above half the incremental rate it is at least that rate");
        _clock.Advance(TimeSpan.FromSeconds(1));
        fee.Current().ShouldBe(Incremental, "exactly half the incremental rate still counts");
        _clock.Advance(TimeSpan.FromSeconds(20));
        fee.Current().ShouldBe(0);
    }

    [Test]
    public void A_rise_equal_to_the_decayed_rate_changes_nothing_and_the_decay_goes_on()
    {
        var fee = Fee(TimeSpan.FromHours(1));
        fee.PackageEvicted(fees: 7_000, size: 1_000);
        fee.BlockConnected();
        _clock.Advance(TimeSpan.FromHours(1));
        fee.Current().ShouldBe(4_000, "8,000 halved");

        fee.PackageEvicted(fees: 3_000, size: 1_000);
        fee.Current().ShouldBe(4_000);
        _clock.Advance(TimeSpan.FromHours(1));

        fee.Current().ShouldBe(2_000, "still decaying: an equal rate is not a rise");
        fee.PackageEvicted(fees: 1_001, size: 1_000);
        fee.Current().ShouldBe(2_001, "a higher rate is");
        _clock.Advance(TimeSpan.FromHours(5));
        fee.Current().ShouldBe(2_001, "and it holds until the next block");
    }

    [Test]
    public void Setting_the_half_life_in_force_again_leaves_the_decay_as_it_was()
    {
        var steady = Fee(TimeSpan.FromHours(12));
        var resetting = Fee(TimeSpan.FromHours(12));
        foreach (var fee in new[] { steady, resetting })
        {
            fee.PackageEvicted(fees: 99_000, size: 1_000);
            fee.BlockConnected();
        }

        for (var hour = 1; hour <= 30; hour++)
        {
            _clock.Advance(TimeSpan.FromHours(1));
            resetting.SetHalfLife(TimeSpan.FromHours(12));
            resetting.Current().ShouldBe(steady.Current(), $"after {hour} hours");
        }

        steady.Current().ShouldBeLessThan(100_000 / 4);
    }
}
