using System.Globalization;

namespace ChainCore.Tests.Harness;

/// <summary>
/// One factor multiplies every wait of the harness and every test's NUnit timeout: raise it on slow
/// or loaded machines. Read from <c>CHAINCORE_TIMEOUT_FACTOR</c>, else from the runsettings
/// parameter <c>TimeoutFactor</c>, else 1.
/// </summary>
public static class Timeouts
{
    public const string ParameterName = "TimeoutFactor";
    public const string EnvironmentVariable = "CHAINCORE_TIMEOUT_FACTOR";

    /// <summary>The run's factor (always positive).</summary>
    public static double Factor =>
        Resolve(Environment.GetEnvironmentVariable(EnvironmentVariable), TestContext.Parameters.Get(ParameterName));

    /// <summary><paramref name="timeout"/> multiplied by the run's factor.</summary>
    public static TimeSpan Scale(TimeSpan timeout) => Scale(timeout, Factor);

    public static TimeSpan Scale(TimeSpan timeout, double factor) =>
        timeout == Timeout.InfiniteTimeSpan ? timeout : TimeSpan.FromTicks((long)Math.Min(timeout.Ticks * factor, TimeSpan.MaxValue.Ticks / 2.0));

    /// <summary>Milliseconds for NUnit's timeouts, scaled.</summary>
    public static int ScaleMilliseconds(int milliseconds) => (int)Math.Min(int.MaxValue, milliseconds * Factor);

    /// <summary>The environment variable wins over the runsettings parameter; anything not a positive number counts as absent.</summary>
    public static double Resolve(string? environmentValue, string? parameterValue) =>
        Parse(environmentValue) ?? Parse(parameterValue) ?? 1;

    private static double? Parse(string? text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var f) && f > 0 && double.IsFinite(f) ? f : null;
}
