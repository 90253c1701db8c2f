namespace ChainCore.Node;

/// <summary>
/// The node's clock on regtest and devnet, as Bitcoin Core's <c>setmocktime</c>: the wall clock
/// until a time is set (<c>--mock-time</c>, <c>POST /debug/mocktime</c>), then that time, standing
/// still, until another is set; 0 returns to the wall clock. Only the time of day is set: timers and
/// elapsed times keep the wall clock's pace, so timeouts and retries behave as always. A test that
/// mines thousands of blocks into a node process sets the time ahead as it goes, since chain time
/// may not run more than two hours ahead of the node's clock.
/// </summary>
public sealed class NodeClock(TimeProvider wall, long mockTime = 0) : TimeProvider
{
    private long _mockTime = mockTime;

    /// <summary>The set time in Unix seconds, or 0 when the clock follows the wall clock.</summary>
    public long MockTime => Interlocked.Read(ref _mockTime);

    /// <summary>Sets the time (Unix seconds), or returns to the wall clock with 0.</summary>
    public void SetMockTime(long unixSeconds)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(unixSeconds);
        Interlocked.Exchange(ref _mockTime, unixSeconds);
    }

    public override DateTimeOffset GetUtcNow() =>
        MockTime is var mock and > 0 ? DateTimeOffset.FromUnixTimeSeconds(mock) : wall.GetUtcNow();

    public override TimeZoneInfo LocalTimeZone => wall.LocalTimeZone;

    public override long TimestampFrequency => wall.TimestampFrequency;

    public override long GetTimestamp() => wall.GetTimestamp();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        wall.CreateTimer(callback, state, dueTime, period);
}
