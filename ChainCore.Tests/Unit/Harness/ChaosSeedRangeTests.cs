using ChainCore.Tests.Harness.Chaos;

namespace ChainCore.Tests.Unit.Harness;

/// <summary>The nightly's chaos shards name their seeds as FIRST:COUNT in an environment variable; a typo fails loudly instead of testing nothing.</summary>
[TestFixture, Category("Unit")]
public sealed class ChaosSeedRangeTests
{
    private string _variable = null!;

    [SetUp]
    public void NameVariable() => _variable = $"CHAINCORE_TEST_SEEDS_{Guid.NewGuid():N}";

    [TearDown]
    public void ClearVariable() => Environment.SetEnvironmentVariable(_variable, null);

    [Test]
    public void Unset_or_empty_gives_the_default_range()
    {
        ChaosSchedule.SeedsFrom(_variable, 100, 3).ShouldBe([100, 101, 102]);
        Environment.SetEnvironmentVariable(_variable, string.Empty);
        ChaosSchedule.SeedsFrom(_variable, 7, 1).ShouldBe([7]);
    }

    [Test]
    public void A_range_gives_its_count_of_seeds_from_its_first()
    {
        Environment.SetEnvironmentVariable(_variable, "140:4");
        ChaosSchedule.SeedsFrom(_variable, 100, 20).ShouldBe([140, 141, 142, 143]);
        Environment.SetEnvironmentVariable(_variable, "-2:2");
        ChaosSchedule.SeedsFrom(_variable, 100, 20).ShouldBe([-2, -1]);
    }

    [TestCase("140"), TestCase("140:"), TestCase(":4"), TestCase("140:0"), TestCase("140:-1"), TestCase("a:4"), TestCase("1:2:3"), TestCase("2147483647:2"), TestCase("1.5:2")]
    public void Anything_else_is_refused_naming_the_variable_and_the_value(string value)
    {
        Environment.SetEnvironmentVariable(_variable, value);
        Should.Throw<ArgumentException>(() => ChaosSchedule.SeedsFrom(_variable, 100, 20).ToList())
            .Message.ShouldBe($"{_variable} must be FIRST:COUNT (two integers, COUNT above 0), not '{value}'.");
    }
}
