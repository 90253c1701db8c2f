// Reads Stryker's JSON reports (mutation-testing-report-schema) and prints, per folder, the mutants
// and the mutation score; lists the survivors; exits 1 when a folder scores under the threshold.
//
//   dotnet run --file tests/mutation/MutationScores.cs -- --threshold 90 --folders F1,F2,… REPORT.json…
//
// A folder is a path prefix of the mutated files relative to the repository (ChainCore.Core/Consensus).
// Score as Stryker counts it: (killed + timeout) / (killed + timeout + survived + no coverage);
// ignored mutants and those that did not compile are outside it.
using System.Globalization;
using System.Text.Json;

var threshold = 90.0;
var folders = new List<string>();
var reports = new List<string>();
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--threshold": threshold = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--folders": folders.AddRange(args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries)); break;
        default: reports.Add(args[i]); break;
    }
}
if (reports.Count == 0 || folders.Count == 0)
{
    Console.Error.WriteLine("usage: MutationScores.cs --threshold 90 --folders ChainCore.Core/Consensus,… REPORT.json…");
    return 2;
}

var tallies = folders.ToDictionary(f => f, _ => new Tally());
var survivors = new List<string>();
foreach (var report in reports)
{
    using var json = JsonDocument.Parse(File.ReadAllBytes(report));
    foreach (var file in json.RootElement.GetProperty("files").EnumerateObject())
    {
        var path = file.Name.Replace('\\', '/');
        var folder = folders.FirstOrDefault(f => path.Contains("/" + f + "/", StringComparison.Ordinal) || path.StartsWith(f + "/", StringComparison.Ordinal));
        if (folder is null) continue;
        var relative = path[path.IndexOf(folder, StringComparison.Ordinal)..];
        foreach (var mutant in file.Value.GetProperty("mutants").EnumerateArray())
        {
            var status = mutant.GetProperty("status").GetString();
            tallies[folder].Add(status);
            if (status is "Survived" or "NoCoverage")
            {
                var start = mutant.GetProperty("location").GetProperty("start");
                var replacement = mutant.TryGetProperty("replacement", out var r) ? r.GetString() : "";
                survivors.Add($"{status,-10} {relative}:{start.GetProperty("line").GetInt32()}  {mutant.GetProperty("mutatorName").GetString()}: {Shorten(replacement)}");
            }
        }
    }
}

Console.WriteLine();
Console.WriteLine("Surviving mutants (and mutants no test covers):");
foreach (var line in survivors.Order(StringComparer.Ordinal)) Console.WriteLine("  " + line);
if (survivors.Count == 0) Console.WriteLine("  none");
Console.WriteLine();
Console.WriteLine($"{"folder",-32} {"mutants",8} {"killed",7} {"survived",9} {"timeout",8} {"no cover",9} {"ignored",8} {"score",7}");
var failed = false;
foreach (var (folder, t) in tallies)
{
    var score = t.Score;
    var below = score is null || score < threshold;
    failed |= below;
    var shown = score is null ? "n/a" : score.Value.ToString("0.0", CultureInfo.InvariantCulture) + " %";
    Console.WriteLine($"{folder,-32} {t.Total,8} {t.Killed,7} {t.Survived,9} {t.Timeout,8} {t.NoCoverage,9} {t.Ignored,8} {shown,7}{(below ? "  BELOW " + threshold.ToString(CultureInfo.InvariantCulture) + " %" : "")}");
}
return failed ? 1 : 0;

static string Shorten(string? text)
{
    var flat = (text ?? "").ReplaceLineEndings(" ");
    return flat.Length <= 80 ? flat : flat[..77] + "...";
}

internal sealed class Tally
{
    public int Killed { get; private set; }
    public int Survived { get; private set; }
    public int Timeout { get; private set; }
    public int NoCoverage { get; private set; }
    public int Ignored { get; private set; }
    public int Total => Killed + Survived + Timeout + NoCoverage + Ignored;

    public double? Score
    {
        get
        {
            var valid = Killed + Timeout + Survived + NoCoverage;
            return valid == 0 ? null : 100.0 * (Killed + Timeout) / valid;
        }
    }

    public void Add(string? status)
    {
        switch (status)
        {
            case "Killed": Killed++; break;
            case "Survived": Survived++; break;
            case "Timeout": Timeout++; break;
            case "NoCoverage": NoCoverage++; break;
            case "Ignored": Ignored++; break;
            default: break; // CompileError, RuntimeError, Pending: outside the score, as in Stryker's
        }
    }
}
