using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ChainCore.Tests.Harness;

/// <summary>
/// Compares a run's performance figures (<see cref="PerformanceReport"/>) with the committed
/// baseline, <c>tests/baselines/performance.json</c>: a figure more than the tolerance (10 %, or
/// the figure's own) worse than its baseline is a regression. The baseline lists ratios only, each
/// to a reference measured in the same run on the same machine (raw libsecp256k1, a bare write of
/// the same rows, OpenSSL's SHA-256, raw COPY, one local connect), so that it judges the code on any
/// machine; absolute figures stay in the run's reports with the machine's description, as
/// information. Each baseline figure says whether higher or lower is better.
/// </summary>
public static class PerformanceBaseline
{
    public const double DefaultTolerance = 0.10;

    /// <summary>Every gated figure's name says it is a ratio: an absolute figure would judge the machine.</summary>
    public const string RatioMarker = "ratio";

    public sealed record Comparison(string Measurement, string Figure, double Baseline, double Current, bool HigherIsBetter, double Tolerance)
    {
        /// <summary>How much worse than the baseline (0.15 = 15 % worse; negative = better).</summary>
        public double Worse => HigherIsBetter ? (Baseline - Current) / Baseline : (Current - Baseline) / Baseline;

        public bool IsRegression => Worse > Tolerance;

        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"{(IsRegression ? "REGRESSION" : "ok"),-10} {Measurement} {Figure}: {Current:G5} against {Baseline:G5} ({(Worse > 0 ? "worse" : "better")} by {Math.Abs(Worse) * 100:0.#} %, {(HigherIsBetter ? "higher" : "lower")} is better)");
    }

    /// <summary>The comparisons of every baseline figure found in <paramref name="current"/> (measurement name → figures).</summary>
    public static IReadOnlyList<Comparison> Compare(JsonObject baseline, IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> current)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(current);
        var tolerance = baseline["tolerance"]?.GetValue<double>() ?? DefaultTolerance;
        var comparisons = new List<Comparison>();
        foreach (var (measurement, figures) in baseline["measurements"]?.AsObject() ?? [])
        {
            if (figures is null || !current.TryGetValue(measurement, out var measured))
            {
                continue;
            }

            foreach (var (figure, expected) in figures.AsObject())
            {
                if (!figure.Contains(RatioMarker, StringComparison.Ordinal))
                {
                    throw new InvalidDataException($"The baseline gates {measurement} {figure}, an absolute figure: it would judge the machine, not the code. Gate a ratio to a reference measured in the same run.");
                }

                if (expected is null || !measured.TryGetValue(figure, out var value))
                {
                    continue;
                }

                var higher = (expected["better"]?.GetValue<string>() ?? "higher") == "higher";
                // A figure may carry its own tolerance: one that varies more from run to run on a shared machine.
                var own = expected["tolerance"]?.GetValue<double>() ?? tolerance;
                comparisons.Add(new Comparison(measurement, figure, expected["value"]!.GetValue<double>(), value, higher, own));
            }
        }

        return comparisons;
    }

    /// <summary>The latest figures in <paramref name="directory"/> (one JSON file per measurement, as <see cref="PerformanceReport"/> writes them).</summary>
    public static IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> ReadLatest(string directory)
    {
        var result = new Dictionary<string, IReadOnlyDictionary<string, double>>();
        if (!Directory.Exists(directory))
        {
            return result;
        }

        foreach (var file in Directory.GetFiles(directory, "*.json"))
        {
            var json = JsonNode.Parse(File.ReadAllText(file))!.AsObject();
            var figures = json["figures"]!.AsObject().ToDictionary(f => f.Key, f => f.Value!.GetValue<double>());
            result[json["name"]!.GetValue<string>()] = figures;
        }

        return result;
    }

    /// <summary>The distinct conditions (build, instrumentation, machine) the figures in <paramref name="directory"/> were measured under.</summary>
    public static IReadOnlyList<string> ReadConditions(string directory) =>
        !Directory.Exists(directory)
            ? []
            : [.. Directory.GetFiles(directory, "*.json")
                .Select(f => JsonNode.Parse(File.ReadAllText(f))?["conditions"])
                .Where(c => c is not null)
                .Select(c => string.Join(", ", c!.AsObject().Where(p => p.Key != "load").Select(p => $"{p.Key} {p.Value}")))
                .Distinct()];

    /// <summary>Prints the comparison; returns 1 when a figure regressed and <paramref name="failOnRegression"/>, else 0.</summary>
    public static int Run(string baselinePath, string currentDirectory, bool failOnRegression, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var baseline = JsonNode.Parse(File.ReadAllText(baselinePath))!.AsObject();
        IReadOnlyList<Comparison> comparisons;
        try
        {
            comparisons = Compare(baseline, ReadLatest(currentDirectory));
        }
        catch (InvalidDataException e)
        {
            output.WriteLine($"Performance against {baselinePath}: {e.Message}");
            return 1;
        }

        output.WriteLine($"Performance against {baselinePath} (ratios to references measured in the same run; absolute figures in {currentDirectory}, as information):");
        foreach (var conditions in ReadConditions(currentDirectory))
        {
            output.WriteLine($"  measured: {conditions}");
        }

        if (baseline["machine"]?.GetValue<string>() is { } machine)
        {
            output.WriteLine($"  baseline: {machine}");
        }

        if (comparisons.Count == 0)
        {
            output.WriteLine("  no figure of the baseline was measured in this run");
            return 0;
        }

        foreach (var c in comparisons)
        {
            output.WriteLine("  " + c);
        }

        var regressions = comparisons.Count(c => c.IsRegression);
        output.WriteLine(regressions == 0 ? "  no regression" : $"  {regressions} figure(s) regressed beyond the tolerance");
        return regressions > 0 && failOnRegression ? 1 : 0;
    }

    /// <summary>A baseline from the latest figures, keeping the figures, directions and tolerances of <paramref name="previous"/>; <paramref name="machine"/>, if given, names where they were measured.</summary>
    public static string Update(JsonObject previous, IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> current, string? machine = null)
    {
        ArgumentNullException.ThrowIfNull(previous);
        var updated = previous.DeepClone().AsObject();
        if (machine is not null)
        {
            updated["machine"] = machine;
        }

        foreach (var (measurement, figures) in updated["measurements"]?.AsObject() ?? [])
        {
            if (figures is null || !current.TryGetValue(measurement, out var measured))
            {
                continue;
            }

            foreach (var (figure, expected) in figures.AsObject())
            {
                if (expected is not null && measured.TryGetValue(figure, out var value))
                {
                    expected["value"] = Math.Round(value, 4);
                }
            }
        }

        return updated.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }
}
