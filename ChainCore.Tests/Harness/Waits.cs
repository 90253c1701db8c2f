using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace ChainCore.Tests.Harness;

/// <summary>
/// Bounded waits for a condition, as Bitcoin Core's <c>wait_until</c>: the limit is scaled by the
/// run's timeout factor, and a wait that runs out fails with the condition, the limit and the state
/// the test describes (every node's tip, mempool...). Use with <c>using static</c>.
/// </summary>
public static class Waits
{
    private static readonly TimeSpan FirstPoll = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan LongestPoll = TimeSpan.FromMilliseconds(100);

    public static Task WaitUntilAsync(
        Func<bool> condition,
        Func<string> describeState,
        TimeSpan timeout,
        CancellationToken ct = default,
        [CallerArgumentExpression(nameof(condition))] string conditionText = "") =>
        WaitUntilAsync(() => Task.FromResult(condition()), () => Task.FromResult(describeState()), timeout, Timeouts.Factor, ct, conditionText);

    public static Task WaitUntilAsync(
        Func<Task<bool>> condition,
        Func<Task<string>> describeState,
        TimeSpan timeout,
        CancellationToken ct = default,
        [CallerArgumentExpression(nameof(condition))] string conditionText = "") =>
        WaitUntilAsync(condition, describeState, timeout, Timeouts.Factor, ct, conditionText);

    /// <summary>The wait with an explicit factor instead of the run's.</summary>
    public static async Task WaitUntilAsync(
        Func<Task<bool>> condition,
        Func<Task<string>> describeState,
        TimeSpan timeout,
        double factor,
        CancellationToken ct = default,
        [CallerArgumentExpression(nameof(condition))] string conditionText = "")
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(describeState);
        var limit = Timeouts.Scale(timeout, factor);
        var clock = Stopwatch.StartNew();
        var poll = FirstPoll;
        while (true)
        {
            if (await condition())
            {
                return;
            }

            if (clock.Elapsed >= limit)
            {
                break;
            }

            var remaining = limit - clock.Elapsed;
            await Task.Delay(poll < remaining ? poll : remaining, ct);
            poll = poll * 2 < LongestPoll ? poll * 2 : LongestPoll;
        }

        string state;
        try
        {
            state = await describeState();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            state = $"(describing the state failed: {e.GetType().Name}: {e.Message})";
        }

        throw new WaitTimeoutException(string.Create(CultureInfo.InvariantCulture,
            $"Waited {clock.Elapsed.TotalSeconds:0.###} s for `{conditionText}`; the limit is {limit.TotalSeconds:0.###} s ({timeout.TotalSeconds:0.###} s x timeout factor {factor:0.###}).{Environment.NewLine}State: {state}"));
    }
}

/// <summary>A bounded wait ran out; the message says what was awaited and the state at that moment.</summary>
public sealed class WaitTimeoutException(string message) : TimeoutException(message);
