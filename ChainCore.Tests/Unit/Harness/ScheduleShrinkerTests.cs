using ChainCore.Tests.Harness.Chaos;

namespace ChainCore.Tests.Unit.Harness;

/// <summary>The chaos checker's shrinker, on schedules whose failure is known: it must find the few steps that matter.</summary>
[TestFixture, Category("Unit")]
public sealed class ScheduleShrinkerTests
{
    private sealed record Step(char Kind, int Id, int Count = 1)
    {
        public override string ToString() => $"{Kind}{Id}x{Count}";
    }

    /// <summary>40 steps of five kinds; the failure needs steps 5, 17 (with at least 3 of its count) and 30, in that order.</summary>
    private static readonly IReadOnlyList<Step> Schedule =
        [.. Enumerable.Range(0, 40).Select(i => new Step("mspdt"[i % 5], i, i == 17 ? 8 : 4))];

    private static bool Fails(IReadOnlyList<Step> steps)
    {
        var ids = steps.Select(s => s.Id).ToList();
        var (a, b, c) = (ids.IndexOf(5), ids.IndexOf(17), ids.IndexOf(30));
        return a >= 0 && b > a && c > b && steps[b].Count >= 3;
    }

    private static Step? Halve(Step s) => s.Count > 1 ? s with { Count = s.Count / 2 } : null;

    [Test]
    public async Task A_failure_that_needs_three_steps_shrinks_to_those_three_with_their_counts_lowered()
    {
        var runs = 0;
        var shrunk = await ScheduleShrinker.ShrinkAsync(Schedule, s => { runs++; return Task.FromResult(Fails(s)); }, s => s.Kind, Halve, maxRuns: 200);

        shrunk.Select(s => s.Id).ShouldBe([5, 17, 30]);
        shrunk.Select(s => s.Count).ShouldBe([1, 4, 1], "each count is lowered while the failure holds: 8 → 4, not 2");
        runs.ShouldBeLessThan(200);
        TestContext.Out.WriteLine($"{runs} runs");
    }

    [Test]
    public async Task A_shorter_schedule_that_passes_once_by_bad_luck_is_tried_again_in_the_next_round()
    {
        // Every candidate that should fail passes on its first run: a race lost once.
        var seen = new HashSet<string>();
        var shrunk = await ScheduleShrinker.ShrinkAsync(
            Schedule,
            s => Task.FromResult(Fails(s) && !seen.Add(string.Join(',', s))),
            s => s.Kind,
            Halve,
            maxRuns: 600);

        shrunk.Select(s => s.Id).ShouldBe([5, 17, 30]);
    }

    [Test]
    public async Task The_budget_bounds_the_runs_and_what_is_returned_still_fails()
    {
        var runs = 0;
        var shrunk = await ScheduleShrinker.ShrinkAsync(Schedule, s => { runs++; return Task.FromResult(Fails(s)); }, s => s.Kind, Halve, maxRuns: 7);

        runs.ShouldBe(7);
        Fails(shrunk).ShouldBeTrue();
        shrunk.Count.ShouldBeLessThan(Schedule.Count);
    }

    [Test]
    public async Task Dropping_every_step_of_one_kind_is_tried_first()
    {
        var first = new List<IReadOnlyList<Step>>();
        await ScheduleShrinker.ShrinkAsync(Schedule, s => { first.Add(s); return Task.FromResult(Fails(s)); }, s => s.Kind, Halve, maxRuns: 5);

        first[0].ShouldNotContain(s => s.Kind == 'm');
        first[0].Count.ShouldBe(32);
    }
}
