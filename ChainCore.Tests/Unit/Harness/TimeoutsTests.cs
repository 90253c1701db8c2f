using System.Diagnostics;
using ChainCore.Tests.Harness;
using NUnit.Framework.Internal;

namespace ChainCore.Tests.Unit.Harness;

[TestFixture, Category("Unit")]
public sealed class TimeoutsTests
{
    [TestCase("3", "1", 3.0)]
    [TestCase(null, "2.5", 2.5)]
    [TestCase(null, null, 1.0)]
    [TestCase("zero", "0", 1.0)]
    [TestCase("-2", "4", 4.0)]
    public void The_environment_variable_wins_over_the_runsettings_parameter(string? environment, string? parameter, double expected) =>
        Timeouts.Resolve(environment, parameter).ShouldBe(expected);

    [Test]
    public void Scale_multiplies_a_timeout_and_leaves_infinite_alone()
    {
        Timeouts.Scale(TimeSpan.FromSeconds(10), 2.5).ShouldBe(TimeSpan.FromSeconds(25));
        Timeouts.Scale(Timeout.InfiniteTimeSpan, 3).ShouldBe(Timeout.InfiniteTimeSpan);
    }

    [Test]
    public async Task The_factor_changes_how_long_a_wait_lasts_before_it_fails()
    {
        var timeout = TimeSpan.FromMilliseconds(60);

        var once = Stopwatch.StartNew();
        var plain = await Should.ThrowAsync<WaitTimeoutException>(() => Waits.WaitUntilAsync(() => Task.FromResult(false), () => Task.FromResult("nothing yet"), timeout, factor: 1));
        once.Stop();
        var fivefold = Stopwatch.StartNew();
        var scaled = await Should.ThrowAsync<WaitTimeoutException>(() => Waits.WaitUntilAsync(() => Task.FromResult(false), () => Task.FromResult("nothing yet"), timeout, factor: 5));
        fivefold.Stop();

        once.Elapsed.ShouldBeGreaterThanOrEqualTo(timeout);
        fivefold.Elapsed.ShouldBeGreaterThanOrEqualTo(timeout * 5);
        plain.Message.ShouldContain("the limit is 0.06 s (0.06 s x timeout factor 1)");
        scaled.Message.ShouldContain("the limit is 0.3 s (0.06 s x timeout factor 5)");
    }

    [Test]
    public async Task A_wait_that_runs_out_names_the_condition_and_the_state()
    {
        var height = 3;

        var e = await Should.ThrowAsync<WaitTimeoutException>(() =>
            Waits.WaitUntilAsync(() => height >= 5, () => $"node-0 at height {height}", TimeSpan.FromMilliseconds(20)));

        e.Message.ShouldContain("height >= 5");
        e.Message.ShouldContain("State: node-0 at height 3");
    }

    [Test]
    public async Task A_wait_returns_as_soon_as_the_condition_holds()
    {
        var polls = 0;

        await Waits.WaitUntilAsync(() => ++polls == 3, () => "polled", TimeSpan.FromSeconds(30));

        polls.ShouldBe(3);
    }

    [Test]
    public void Scaled_timeout_sets_nunits_test_timeout_times_the_factor()
    {
        var context = new TestExecutionContext();

        new ScaledTimeoutAttribute(1_000).ApplyToContext(context);

        context.TestCaseTimeout.ShouldBe((int)(1_000 * Timeouts.Factor));
    }
}
