using ChainCore.Tests.Harness;
using ChainCore.Tests.Harness.Chaos;

namespace ChainCore.Tests.E2E;

/// <summary>
/// Seeded chaos over node processes on one settable clock: what in-process nodes cannot show is a
/// node killed in the middle of its work (no shutdown, no saved mempool, the database as the kill
/// left it) and started again on it. The invariants are <see cref="ProcessChaosRun"/>'s.
/// </summary>
[TestFixture, Category("E2E"), Category("Network")]
public sealed class ProcessChaosTests
{
    [Test]
    public async Task Nodes_killed_mid_run_restart_on_their_data_and_rejoin_one_chain_losing_nothing_another_node_held()
    {
        ChaosStep[] steps =
        [
            new(ChaosKind.Mine, 0, 0, 2),
            new(ChaosKind.Send, 0, 1, 3),
            new(ChaosKind.Mine, 1, 0, 1),
            new(ChaosKind.Crash, 1),
            new(ChaosKind.DoubleSpend, 0, 2),
            new(ChaosKind.Mine, 2, 0, 2),
            new(ChaosKind.Restart, 1),
            new(ChaosKind.Clock, 0, 0, 10),
            new(ChaosKind.Crash, 0),
            new(ChaosKind.Mine, 1, 0, 1),
            new(ChaosKind.Stop, 2),
            new(ChaosKind.Restart, 0),
        ];
        await using var net = await ProcessNetwork.StartAsync(3);

        var outcome = await ProcessChaosRun.RunAsync(7, steps, net);

        outcome.Failure.ShouldBeNull();
    }

    [Test]
    public void A_process_schedule_is_a_pure_function_of_its_seed_and_keeps_a_node_running()
    {
        var first = ProcessChaosRun.Generate(42, 3, 60);

        ProcessChaosRun.Generate(42, 3, 60).ShouldBe(first);
        ProcessChaosRun.Generate(43, 3, 60).ShouldNotBe(first);
        first.Select(s => s.Kind).ShouldContain(ChaosKind.Crash);
        first.Select(s => s.Kind).Distinct().Count().ShouldBe(7, "mine, send, double spend, crash, stop, restart, clock");
        var running = new HashSet<int> { 0, 1, 2 };
        foreach (var step in first)
        {
            if (step.Kind is ChaosKind.Crash or ChaosKind.Stop)
            {
                running.Remove(step.A).ShouldBeTrue($"{step} stops a running node");
            }
            else if (step.Kind == ChaosKind.Restart)
            {
                running.Add(step.A).ShouldBeTrue($"{step} starts a stopped node");
            }

            running.ShouldNotBeEmpty();
        }
    }

    /// <summary><c>CHAINCORE_PROCESS_CHAOS_SEEDS=FIRST:COUNT</c> (1:5 by default), <c>CHAINCORE_CHAOS_STEPS</c> steps each (30 by default here).</summary>
    private static IEnumerable<int> Seeds() => ChaosSchedule.SeedsFrom("CHAINCORE_PROCESS_CHAOS_SEEDS", 1, 5);

    private static int Steps => int.TryParse(Environment.GetEnvironmentVariable("CHAINCORE_CHAOS_STEPS"), out var steps) && steps > 0 ? steps : 30;

    [Test, Category("Slow"), TestCaseSource(nameof(Seeds))]
    public async Task Seeded_process_chaos_keeps_every_invariant(int seed)
    {
        var steps = ProcessChaosRun.Generate(seed, 3, Steps);
        await using var net = await ProcessNetwork.StartAsync(3);

        var outcome = await ProcessChaosRun.RunAsync(seed, steps, net);

        outcome.Failure.ShouldBeNull();
    }
}
