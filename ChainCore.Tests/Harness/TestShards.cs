using System.Globalization;
using System.Reflection;
using System.Text;
using System.Xml.Linq;

namespace ChainCore.Tests.Harness;

/// <summary>
/// Splits the suite into shards of whole fixtures for runners that run in parallel (the nightly's
/// matrix), so its wall time stays flat as tests grow: each fixture weighs its duration in earlier
/// runs' TRX files, or, never measured, the median fixture's (a test count where nothing was
/// measured), and the heaviest go first to the lightest shard (longest processing time first). The
/// split is a pure function of the fixtures and the weights, so every runner computes the same one.
/// </summary>
public static class TestShards
{
    private static readonly XNamespace Trx = "http://microsoft.com/schemas/VisualStudio/TeamTest/2010";

    /// <summary>The full names of the test fixtures in <paramref name="assembly"/>: classes with an NUnit test method of their own or inherited.</summary>
    public static IReadOnlyList<string> Fixtures(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        return [.. assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && t.GetMethods().Any(IsTest))
            .Select(t => t.FullName!.Replace('+', '.'))
            .Order(StringComparer.Ordinal)];
    }

    /// <summary>Seconds per fixture, summed over the tests of <paramref name="trxFiles"/> (missing files are skipped).</summary>
    public static IReadOnlyDictionary<string, double> Durations(IEnumerable<string> trxFiles)
    {
        ArgumentNullException.ThrowIfNull(trxFiles);
        var seconds = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var run in trxFiles.Where(File.Exists).Select(XDocument.Load))
        {
            var classes = run.Descendants(Trx + "UnitTest").ToDictionary(
                u => (string?)u.Attribute("id") ?? "",
                u => (string?)u.Element(Trx + "TestMethod")?.Attribute("className") ?? "");
            foreach (var result in run.Descendants(Trx + "UnitTestResult"))
            {
                if (classes.TryGetValue((string?)result.Attribute("testId") ?? "", out var fixture) && fixture.Length > 0
                    && TimeSpan.TryParse((string?)result.Attribute("duration"), CultureInfo.InvariantCulture, out var duration))
                {
                    seconds[fixture] = seconds.GetValueOrDefault(fixture) + duration.TotalSeconds;
                }
            }
        }

        return seconds;
    }

    /// <summary>The fixtures of shard <paramref name="shard"/> (1-based) of <paramref name="count"/>.</summary>
    public static IReadOnlyList<string> Split(IReadOnlyList<string> fixtures, IReadOnlyDictionary<string, double> weights, int shard, int count)
    {
        ArgumentNullException.ThrowIfNull(fixtures);
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(shard, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(shard, count);
        var known = fixtures.Where(weights.ContainsKey).Select(f => weights[f]).Order().ToList();
        var unknown = known.Count > 0 ? known[known.Count / 2] : 1.0;
        var loads = new double[count];
        var shards = Enumerable.Range(0, count).Select(_ => new List<string>()).ToArray();
        foreach (var fixture in fixtures.OrderByDescending(f => weights.GetValueOrDefault(f, unknown)).ThenBy(f => f, StringComparer.Ordinal))
        {
            var lightest = Array.IndexOf(loads, loads.Min());
            shards[lightest].Add(fixture);
            loads[lightest] += weights.GetValueOrDefault(fixture, unknown);
        }

        return [.. shards[shard - 1].Order(StringComparer.Ordinal)];
    }

    /// <summary>A test filter selecting exactly <paramref name="fixtures"/> (the trailing dot keeps <c>Foo</c> from selecting <c>FooBar</c>).</summary>
    public static string Filter(IReadOnlyList<string> fixtures)
    {
        ArgumentNullException.ThrowIfNull(fixtures);
        if (fixtures.Count == 0)
        {
            // No fixture: a filter that selects nothing, rather than everything.
            return "FullyQualifiedName=ChainCore.Tests.NoSuchTest";
        }

        var filter = new StringBuilder();
        foreach (var fixture in fixtures)
        {
            filter.Append(filter.Length > 0 ? "|" : "").Append("FullyQualifiedName~").Append(fixture).Append('.');
        }

        return filter.ToString();
    }

    /// <summary><c>shard-filter K/N [TRX...]</c>: prints shard K's filter; 2 with a message on bad arguments.</summary>
    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (args.Count < 1 || !TryParse(args[0], out var shard, out var count))
        {
            error.WriteLine($"shard-filter: the shard must be K/N with 1 <= K <= N <= 256, not '{(args.Count > 0 ? args[0] : "")}'");
            return 2;
        }

        var fixtures = Fixtures(typeof(TestShards).Assembly);
        var durations = Durations(args.Skip(1));
        var weights = durations.Count > 0 ? durations : fixtures.ToDictionary(f => f, f => (double)TestCount(f), StringComparer.Ordinal);
        output.WriteLine(Filter(Split(fixtures, weights, shard, count)));
        return 0;
    }

    public static bool TryParse(string text, out int shard, out int count)
    {
        shard = count = 0;
        var parts = (text ?? "").Split('/');
        return parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out shard)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out count)
            && count is >= 1 and <= 256 && shard >= 1 && shard <= count;
    }

    private static int TestCount(string fixture) =>
        typeof(TestShards).Assembly.GetTypes().First(t => t.FullName!.Replace('+', '.') == fixture).GetMethods().Count(IsTest);

    private static bool IsTest(MethodInfo method) =>
        method.IsDefined(typeof(TestAttribute), inherit: true)
        || method.IsDefined(typeof(TestCaseAttribute), inherit: true)
        || method.IsDefined(typeof(TestCaseSourceAttribute), inherit: true)
        || method.IsDefined(typeof(TheoryAttribute), inherit: true);
}
