using System.Globalization;

namespace ChainCore.Tests.Harness.Chaos;

/// <summary>
/// A chaos schedule from a seed: a pure function of (seed, nodes, steps), so a failing seed gives the
/// same steps every time. It keeps the steps meaningful: at least two nodes running, only running
/// nodes mine or send, only stopped ones restart.
/// </summary>
public static class ChaosSchedule
{
    /// <summary>
    /// The seeds an environment variable names as <c>FIRST:COUNT</c> (a nightly shard's range), or
    /// <paramref name="defaultFirst"/>:<paramref name="defaultCount"/> when it is unset or empty.
    /// Anything else is refused with a message naming the variable.
    /// </summary>
    public static IEnumerable<int> SeedsFrom(string variable, int defaultFirst, int defaultCount)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(variable);
        if (Environment.GetEnvironmentVariable(variable) is not { Length: > 0 } text)
        {
            return Enumerable.Range(defaultFirst, defaultCount);
        }

        var range = text.Split(':');
        return range.Length == 2
            && int.TryParse(range[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var first)
            && int.TryParse(range[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var count)
            && count > 0
            && (long)first + count - 1 <= int.MaxValue
            ? Enumerable.Range(first, count)
            : throw new ArgumentException($"{variable} must be FIRST:COUNT (two integers, COUNT above 0), not '{text}'.");
    }

    public static IReadOnlyList<ChaosStep> Generate(int seed, int nodes, int steps)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nodes, 2);
        var random = new Random(seed);
        var running = Enumerable.Range(0, nodes).ToHashSet();
        var schedule = new List<ChaosStep> { new(ChaosKind.Mine, 0, 0, 2) };
        while (schedule.Count < steps)
        {
            var live = running.Order().ToList();
            int Any() => live[random.Next(live.Count)];
            int Other(int a) => live.Count > 1 ? live.Where(n => n != a).ElementAt(random.Next(live.Count - 1)) : a;
            var roll = random.Next(100);
            ChaosStep? step = roll switch
            {
                < 25 => new(ChaosKind.Mine, Any(), 0, random.Next(1, 4)),
                < 43 => Pair(ChaosKind.Send, Any(), random.Next(1, 6)),
                < 50 => Pair(ChaosKind.DoubleSpend, Any(), 0),
                < 60 => new(ChaosKind.Partition, PartitionMask(random, nodes), nodes),
                < 68 => new(ChaosKind.Heal),
                < 72 => Pair(ChaosKind.DelayLink, Any(), random.Next(1, 30)),
                < 75 => Pair(ChaosKind.DropLink, Any(), 0),
                < 80 when live.Count > 2 => new(ChaosKind.Stop, Any()),
                < 86 when running.Count < nodes => new(ChaosKind.Restart, Enumerable.Range(0, nodes).Where(n => !running.Contains(n)).First()),
                < 90 => new(ChaosKind.Clock, 0, 0, random.Next(1, 30)),
                < 97 => new(ChaosKind.Tick, 0, 0, random.Next(1, 3)),
                < 100 => new(ChaosKind.Stranger, Any()),
                _ => null,
            };
            ChaosStep Pair(ChaosKind kind, int a, int count) => new(kind, a, Other(a), count);
            if (step is null || (step.Kind is ChaosKind.Send or ChaosKind.DoubleSpend or ChaosKind.DelayLink or ChaosKind.DropLink && step.A == step.B))
            {
                continue;
            }

            if (step.Kind == ChaosKind.Stop)
            {
                running.Remove(step.A);
            }
            else if (step.Kind == ChaosKind.Restart)
            {
                running.Add(step.A);
            }

            schedule.Add(step);
        }

        return schedule;
    }

    /// <summary>A split of the nodes into two non-empty sides, as a bit mask of one side.</summary>
    private static int PartitionMask(Random random, int nodes)
    {
        var all = (1 << nodes) - 1;
        return 1 + random.Next(all - 1);
    }
}
