using ChainCore.Core.Primitives;

namespace ChainCore.Tests.Unit.Core;

[TestFixture, Category("Unit")]
public sealed class AmountTests
{
    [TestCase("0", 0L)]
    [TestCase("1", 100_000_000L)]
    [TestCase("0.5", 50_000_000L)]
    [TestCase("0.00000001", 1L)]
    [TestCase("12.34567890", 1_234_567_890L)]
    [TestCase("007.10", 710_000_000L)]
    [TestCase("21000000", 2_100_000_000_000_000L)]
    public void Parses_plain_decimal_coins_exactly(string text, long units) =>
        Amount.ParseCoins(text).Units.ShouldBe(units);

    [TestCase(null)]
    [TestCase("")]
    [TestCase("1.123456789")]
    [TestCase("-1")]
    [TestCase("+1")]
    [TestCase("1e5")]
    [TestCase(" 1")]
    [TestCase("1 ")]
    [TestCase("1,5")]
    [TestCase("1.")]
    [TestCase(".5")]
    [TestCase("21000000.00000001")]
    [TestCase("99999999999999999999")]
    [TestCase("NaN")]
    [TestCase("٣")]
    public void Refuses_anything_but_a_plain_amount_within_max_money(string? text)
    {
        Amount.TryParseCoins(text, out _).ShouldBeFalse();
        if (text is not null)
        {
            Should.Throw<FormatException>(() => Amount.ParseCoins(text));
        }
    }

    [Test]
    public void Shows_coins_with_eight_places()
    {
        new Amount(150_000_000).ToString().ShouldBe("1.50000000");
        new Amount(1).ToString().ShouldBe("0.00000001");
        new Amount(-250_000_000).ToString().ShouldBe("-2.50000000");
        Amount.MaxMoney.ToString().ShouldBe("21000000.00000000");
    }

    [Test]
    public void Decimal_conversion_is_exact_and_refuses_a_ninth_place()
    {
        Amount.FromCoins(1.5m).Units.ShouldBe(150_000_000);
        Amount.FromCoins(0.00000001m).ToCoins().ShouldBe(0.00000001m);
        Should.Throw<FormatException>(() => Amount.FromCoins(0.000000001m));
        Should.Throw<OverflowException>(() => Amount.FromCoins(100_000_000_000m));
        Amount.FromCoins(3L).Units.ShouldBe(300_000_000);
    }

    [Test]
    public void Arithmetic_is_checked_and_ordered()
    {
        (Amount.FromCoins(2) - Amount.FromCoins(3)).Units.ShouldBe(-100_000_000);
        Should.Throw<OverflowException>(() => new Amount(long.MaxValue) + new Amount(1));
        Should.Throw<OverflowException>(() => new Amount(long.MinValue) - new Amount(1));
        (Amount.FromCoins(1) < Amount.FromCoins(2)).ShouldBeTrue();
        (Amount.FromCoins(2) > Amount.FromCoins(1)).ShouldBeTrue();
        (Amount.FromCoins(2) >= Amount.FromCoins(2)).ShouldBeTrue();
        (Amount.FromCoins(2) <= Amount.FromCoins(2)).ShouldBeTrue();
        Amount.FromCoins(1).CompareTo(Amount.FromCoins(2)).ShouldBeLessThan(0);
        new Amount(-1).IsInMoneyRange.ShouldBeFalse();
        (Amount.MaxMoney + new Amount(1)).IsInMoneyRange.ShouldBeFalse();
        Amount.Zero.IsInMoneyRange.ShouldBeTrue();
    }

    [Test]
    public void Multiplying_by_a_count_works_both_ways_round()
    {
        (Amount.FromCoins(1) * 10).ShouldBe(Amount.FromCoins(10));
        (3 * new Amount(7)).Units.ShouldBe(21);
        (Amount.FromCoins(5) * 0).ShouldBe(Amount.Zero);
        (Amount.FromCoins(2) * -1).Units.ShouldBe(-200_000_000);
        (Amount.MaxMoney * 2).IsInMoneyRange.ShouldBeFalse();
    }

    [TestCase(long.MaxValue, 2L)]
    [TestCase(long.MinValue, -1L)]
    [TestCase(long.MinValue, 2L)]
    [TestCase(4_611_686_018_427_387_904L, 2L)]
    public void Multiplying_past_the_range_of_units_throws_instead_of_wrapping(long units, long times)
    {
        Should.Throw<OverflowException>(() => new Amount(units) * times);
        Should.Throw<OverflowException>(() => times * new Amount(units));
    }

    [Test]
    public void Splitting_into_shares_keeps_whole_units_and_says_what_is_left_over()
    {
        (Amount.FromCoins(10) / 4).Units.ShouldBe(250_000_000);
        (new Amount(10) / 3).Units.ShouldBe(3);
        (new Amount(10) % 3).Units.ShouldBe(1);
        (new Amount(-10) / 3).Units.ShouldBe(-3);
        ((new Amount(10) / 3 * 3) + (new Amount(10) % 3)).ShouldBe(new Amount(10));
        Should.Throw<DivideByZeroException>(() => Amount.FromCoins(1) / 0);
        Should.Throw<DivideByZeroException>(() => Amount.FromCoins(1) % 0);
        Should.Throw<OverflowException>(() => new Amount(long.MinValue) / -1);
    }

    [Test]
    public void Negation_is_checked()
    {
        (-Amount.FromCoins(3)).Units.ShouldBe(-300_000_000);
        (-new Amount(-5)).Units.ShouldBe(5);
        Should.Throw<OverflowException>(() => -new Amount(long.MinValue));
    }

    [Test]
    public void Sum_adds_every_amount_and_throws_on_overflow()
    {
        Amount.Sum([]).ShouldBe(Amount.Zero);
        Amount.Sum([new Amount(1), new Amount(2), Amount.FromCoins(1)]).Units.ShouldBe(100_000_003);
        Should.Throw<OverflowException>(() => Amount.Sum([new Amount(long.MaxValue), new Amount(1)]));
        Should.Throw<ArgumentNullException>(() => Amount.Sum(null!));
    }
}
