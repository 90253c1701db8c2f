using System.Globalization;
using System.Text.Json;
using ChainCore.Core.Api;

namespace ChainCore.Tests.Harness;

/// <summary>
/// Records figures from performance tests under tests/reports/performance: one JSON file per
/// measurement (latest) and a JSON-lines history across runs, each with the conditions it was
/// measured under (<see cref="MeasurementConditions"/>). Figures are reported, not asserted; a
/// figure measured in a Debug build or under coverage instrumentation is refused: the test fails
/// and says why, with the figures it measured for information.
/// </summary>
public static class PerformanceReport
{
    public sealed record Measurement(string Name, DateTimeOffset At, MeasurementConditions Conditions, IReadOnlyDictionary<string, double> Figures, string? Note);

    public static string Directory => ReportPaths.Performance;

    public static Measurement Record(string name, IReadOnlyDictionary<string, double> figures, string? note = null) =>
        Record(name, figures, MeasurementConditions.Current(), note);

    public static Measurement Record(string name, IReadOnlyDictionary<string, double> figures, MeasurementConditions conditions, string? note = null)
    {
        ArgumentNullException.ThrowIfNull(figures);
        ArgumentNullException.ThrowIfNull(conditions);
        var line = $"{name}: {Describe(figures)}";
        if (conditions.Objection is { } objection)
        {
            Assert.Fail($"{name} not recorded: {objection}. Measured ({conditions}), for information only: {Describe(figures)}");
        }

        var measurement = new Measurement(name, DateTimeOffset.UtcNow, conditions, figures, note);
        System.IO.Directory.CreateDirectory(Directory);
        var json = JsonSerializer.Serialize(measurement, ApiJson.Options);
        File.WriteAllText(Path.Combine(Directory, $"{name}.json"), json);
        File.AppendAllText(Path.Combine(Directory, "history.jsonl"), json + Environment.NewLine);
        TestContext.Out.WriteLine($"{line} ({conditions})");
        return measurement;
    }

    private static string Describe(IReadOnlyDictionary<string, double> figures) =>
        string.Join(", ", figures.Select(f => string.Create(CultureInfo.InvariantCulture, $"{f.Key}={f.Value:G6}")));
}
