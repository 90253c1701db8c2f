using System.Globalization;
using System.Xml.Linq;

namespace ChainCore.Tests.Harness;

/// <summary>
/// What scripts/test.sh prints after a run, read from the run's TRX files with an XML reader: the
/// ten slowest tests (as Bitcoin Core's test runner lists them) and the counts of the last line.
/// A run may have several passes (with and without coverage), each with its own TRX file.
/// </summary>
public sealed record TestRunSummary(int Passed, int Failed, int Total, int Executed, IReadOnlyList<(string Name, TimeSpan Duration)> Slowest)
{
    private static readonly XNamespace Trx = "http://microsoft.com/schemas/VisualStudio/TeamTest/2010";

    public int Skipped => Total - Executed;

    /// <summary>The summary of <paramref name="trxFiles"/> together; files that do not exist are a pass that selected no test.</summary>
    public static TestRunSummary Read(IEnumerable<string> trxFiles, int slowest = 10)
    {
        ArgumentNullException.ThrowIfNull(trxFiles);
        var runs = trxFiles.Where(File.Exists).Select(XDocument.Load).ToList();
        int Count(string counter) => runs.Sum(run =>
            run.Descendants(Trx + "Counters").Select(c => (int?)c.Attribute(counter) ?? 0).FirstOrDefault());
        var results = runs
            .SelectMany(run => run.Descendants(Trx + "UnitTestResult"))
            .Select(r => (Name: (string?)r.Attribute("testName") ?? "?", Duration: (string?)r.Attribute("duration")))
            .Where(r => r.Duration is not null)
            .Select(r => (r.Name, Duration: TimeSpan.Parse(r.Duration!, CultureInfo.InvariantCulture)))
            .OrderByDescending(r => r.Duration)
            .Take(slowest)
            .ToList();
        return new TestRunSummary(Count("passed"), Count("failed"), Count("total"), Count("executed"), results);
    }

    /// <summary>Prints the slowest tests and the counts; returns 0, or 1 when no test ran.</summary>
    public int Print(TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (Slowest.Count > 0)
        {
            output.WriteLine();
            output.WriteLine("Slowest tests:");
            foreach (var (name, duration) in Slowest)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{duration.TotalSeconds,9:0.00} s  {name}"));
            }
        }

        output.WriteLine($"Tests: {Passed} passed, {Failed} failed, {Skipped} skipped");
        return Executed == 0 ? 1 : 0;
    }
}
