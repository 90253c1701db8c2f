using System.Text.Json;
using ChainCore.Core.Api;

namespace ChainCore.Tests.Harness;

/// <summary>
/// Records figures from performance tests under tests/reports/performance: one JSON file per
/// measurement (latest) and a JSON-lines history across runs. Figures are reported, not asserted.
/// </summary>
public static class PerformanceReport
{
    public sealed record Measurement(string Name, DateTimeOffset At, string Machine, int Cores, IReadOnlyDictionary<string, double> Figures, string? Note);

    public static string Directory => ReportPaths.Performance;

    public static Measurement Record(string name, IReadOnlyDictionary<string, double> figures, string? note = null)
    {
        var measurement = new Measurement(name, DateTimeOffset.UtcNow, Environment.MachineName, Environment.ProcessorCount, figures, note);
        System.IO.Directory.CreateDirectory(Directory);
        var json = JsonSerializer.Serialize(measurement, ApiJson.Options);
        File.WriteAllText(Path.Combine(Directory, $"{name}.json"), json);
        File.AppendAllText(Path.Combine(Directory, "history.jsonl"), json + Environment.NewLine);
        TestContext.Out.WriteLine($"{name}: {string.Join(", ", figures.Select(f => $"{f.Key}={f.Value:G6}"))}");
        return measurement;
    }
}
