namespace ChainCore.Node.Dashboard;

/// <summary>
/// The dashboard's live stream, bound from the "Dashboard" section (<c>Dashboard__MaxStreams=64</c>).
/// Whether the dashboard is served at all is <see cref="NodeOptions.Dashboard"/> (the <c>--dashboard</c> flag).
/// </summary>
public sealed class DashboardOptions
{
    public const string Section = "Dashboard";

    /// <summary>Event streams open at once; one more is refused with 503 so that strangers holding streams open cannot exhaust the node.</summary>
    public int MaxStreams { get; set; } = 32;

    /// <summary>How often an idle stream gets a comment line, so proxies and browsers keep it open and a gone client is noticed.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(15);
}
