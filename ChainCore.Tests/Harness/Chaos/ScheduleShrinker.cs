namespace ChainCore.Tests.Harness.Chaos;

/// <summary>
/// Shrinks a failing schedule to a short one that still fails, in rounds until two rounds in a row
/// change nothing or the run budget is spent. Each round:
/// <list type="number">
/// <item>drops every step of one kind at once (the partitions, the delays, the restarts, …), for each kind;</item>
/// <item>drops runs of steps, halving the run length down to single steps (Zeller's ddmin, complements only);</item>
/// <item>simplifies single steps (fewer blocks, fewer coins).</item>
/// </list>
/// A real run races (who wins between two steps depends on the machine), so a shorter schedule that
/// fails only sometimes may pass once; the next round tries it again (a round that changed nothing is
/// followed by one more), which makes the result stable against a single unlucky run without paying
/// two runs for every candidate.
/// </summary>
public static class ScheduleShrinker
{
    /// <summary>
    /// The shortest schedule found that <paramref name="failsAsync"/> says still fails. <paramref name="kindOf"/>
    /// groups steps for the first pass; <paramref name="simplify"/> gives a simpler step, or null.
    /// At most <paramref name="maxRuns"/> calls of <paramref name="failsAsync"/>.
    /// </summary>
    public static async Task<IReadOnlyList<T>> ShrinkAsync<T, TKind>(
        IReadOnlyList<T> steps, Func<IReadOnlyList<T>, Task<bool>> failsAsync, Func<T, TKind> kindOf, Func<T, T?> simplify, int maxRuns)
        where T : class
        where TKind : notnull
    {
        ArgumentNullException.ThrowIfNull(steps);
        ArgumentNullException.ThrowIfNull(failsAsync);
        ArgumentNullException.ThrowIfNull(kindOf);
        ArgumentNullException.ThrowIfNull(simplify);
        var current = steps.ToList();
        var runs = 0;

        // A candidate already seen to pass is not run again in the same round.
        async Task<bool> TryAsync(List<T> candidate, HashSet<List<T>> passedThisRound)
        {
            if (candidate.Count == 0 || runs >= maxRuns || !passedThisRound.Add(candidate))
            {
                return false;
            }

            runs++;
            if (!await failsAsync(candidate))
            {
                return false;
            }

            current = candidate;
            return true;
        }

        var quietRounds = 0;
        while (quietRounds < 2 && runs < maxRuns)
        {
            var changed = false;
            var passed = new HashSet<List<T>>(SameSteps<T>.Instance);
            foreach (var kind in current.Select(kindOf).Distinct().ToList())
            {
                changed |= await TryAsync([.. current.Where(s => !kindOf(s).Equals(kind))], passed);
            }

            for (var chunk = Math.Max(1, current.Count / 2); chunk >= 1 && runs < maxRuns; chunk /= 2)
            {
                for (var at = 0; at < current.Count && runs < maxRuns;)
                {
                    if (await TryAsync([.. current.Take(at), .. current.Skip(at + chunk)], passed))
                    {
                        changed = true;
                    }
                    else
                    {
                        at += chunk;
                    }
                }
            }

            for (var i = 0; i < current.Count && runs < maxRuns; i++)
            {
                while (simplify(current[i]) is { } simpler && runs < maxRuns)
                {
                    var candidate = current.ToList();
                    candidate[i] = simpler;
                    if (!await TryAsync(candidate, passed))
                    {
                        break;
                    }

                    changed = true;
                }
            }

            quietRounds = changed ? 0 : quietRounds + 1;
        }

        return current;
    }

    /// <summary>Two schedules are the same candidate when they hold equal steps in the same order.</summary>
    private sealed class SameSteps<TStep> : IEqualityComparer<List<TStep>>
    {
        public static readonly SameSteps<TStep> Instance = new();

        public bool Equals(List<TStep>? x, List<TStep>? y) => ReferenceEquals(x, y) || (x is not null && y is not null && x.SequenceEqual(y));

        public int GetHashCode(List<TStep> obj)
        {
            var hash = new HashCode();
            foreach (var step in obj)
            {
                hash.Add(step);
            }

            return hash.ToHashCode();
        }
    }
}
