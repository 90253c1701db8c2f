using ChainCore.Node.Mempool;

namespace ChainCore.Tests.Unit.Data;

/// <summary>
/// Fee rates compared exactly: the mempool's eviction and a block's selection order packages by
/// them, where a rounded rate would put the wrong package first.
/// </summary>
[TestFixture, Category("Unit")]
public sealed class FeeRateTests
{
    [TestCase(1_000, 250, 999, 250, 1)]
    [TestCase(999, 250, 1_000, 250, -1)]
    [TestCase(4_000, 1_000, 1_000, 250, 0)]
    [TestCase(1, 3, 2, 6, 0)]
    [TestCase(0, 1, 0, 100, 0)]
    public void Rates_compare_by_fees_over_bytes_whatever_the_sizes(long fees, long size, long otherFees, long otherSize, int expected)
    {
        Math.Sign(new FeeRate(fees, size).CompareTo(new FeeRate(otherFees, otherSize))).ShouldBe(expected);
        Math.Sign(new FeeRate(otherFees, otherSize).CompareTo(new FeeRate(fees, size))).ShouldBe(-expected);
    }

    [Test]
    public void Rates_too_close_for_a_double_to_tell_apart_still_compare_exactly()
    {
        // 2^62 / 3 and (2^62 + 1) / 3: equal as doubles, and their cross products overflow a long.
        var lower = new FeeRate(1L << 62, 3);
        var higher = new FeeRate((1L << 62) + 1, 3);
        ((double)lower.Fees / lower.Size).ShouldBe((double)higher.Fees / higher.Size);

        lower.CompareTo(higher).ShouldBeLessThan(0);
        higher.CompareTo(lower).ShouldBeGreaterThan(0);
        new FeeRate(long.MaxValue, long.MaxValue).CompareTo(new FeeRate(long.MaxValue - 1, long.MaxValue)).ShouldBeGreaterThan(0);
    }

    [Test]
    public void The_better_and_the_worse_of_two_rates_are_chosen_in_either_order()
    {
        var own = new FeeRate(10_000, 200);
        var package = new FeeRate(11_000, 1_200);

        FeeRate.Max(own, package).ShouldBe(own);
        FeeRate.Max(package, own).ShouldBe(own);
        FeeRate.Min(own, package).ShouldBe(package);
        FeeRate.Min(package, own).ShouldBe(package);
    }

    [Test]
    public void Of_two_equal_rates_the_first_is_kept()
    {
        var first = new FeeRate(1_000, 250);
        var second = new FeeRate(4_000, 1_000);

        FeeRate.Max(first, second).ShouldBe(first);
        FeeRate.Min(first, second).ShouldBe(first);
        FeeRate.Max(second, first).ShouldBe(second);
        FeeRate.Min(second, first).ShouldBe(second);
    }
}
