using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ChainCore.Tests.Harness;

/// <summary>
/// Stryker's JSON reports (the mutation-testing-report schema) for scripts/mutation.sh's two passes:
/// the first tests every mutant against the unit tests; <see cref="WriteRestConfig"/> names the
/// mutants it left alive, by their character spans, for a second pass against the whole default
/// selection; <see cref="Score"/> merges both into the score per folder. A mutant counts as killed
/// when either pass killed it: the second pass's selection holds the first's tests, so a mutant the
/// unit tests kill is killed by it too.
/// </summary>
public static class MutationReport
{
    /// <summary>A line and a column, both counted from 1, as the report's locations are.</summary>
    public readonly record struct Position(int Line, int Column);

    /// <summary>One mutant: the file from its project's folder on (<c>ChainCore.Core/Consensus/Block.cs</c>), its place, its mutator and its status.</summary>
    public sealed record Mutant(string File, string Mutator, string Replacement, string Status, Position Start, Position End)
    {
        /// <summary>Not killed: it survived its tests, or no test reached it.</summary>
        public bool IsAlive => Status is "Survived" or "NoCoverage";

        /// <summary>The same mutant in two runs over the same source: file, place, mutator and replacement.</summary>
        public string Key => string.Create(CultureInfo.InvariantCulture, $"{File}|{Start}|{End}|{Mutator}|{Replacement}");
    }

    /// <summary>The counts of one folder and its score as Stryker counts it.</summary>
    public sealed record FolderScore(string Folder, int Killed, int Survived, int Timeout, int NoCoverage, int Ignored)
    {
        public int Total => Killed + Survived + Timeout + NoCoverage + Ignored;

        /// <summary>(killed + timeout) / (killed + timeout + survived + no coverage) in percent; null without such mutants.
        /// Ignored mutants and those that did not compile are outside it.</summary>
        public double? Percent => Killed + Timeout + Survived + NoCoverage is var valid && valid == 0 ? null : 100.0 * (Killed + Timeout) / valid;
    }

    /// <summary>The merged result: the score per folder, the mutants still alive, and how many the second pass killed.</summary>
    public sealed record Scores(IReadOnlyList<FolderScore> Folders, IReadOnlyList<Mutant> Alive, int KilledBySecondPass);

    /// <summary>The mutants of the report at <paramref name="path"/>, with each file's path as the report writes it (separators made '/').</summary>
    public static IReadOnlyList<(string Path, IReadOnlyList<Mutant> Mutants)> Read(string path)
    {
        using var json = JsonDocument.Parse(File.ReadAllBytes(path));
        var files = new List<(string, IReadOnlyList<Mutant>)>();
        foreach (var file in json.RootElement.GetProperty("files").EnumerateObject())
        {
            var filePath = file.Name.Replace('\\', '/');
            var relative = ProjectRelative(filePath);
            var mutants = new List<Mutant>();
            foreach (var m in file.Value.GetProperty("mutants").EnumerateArray())
            {
                var location = m.GetProperty("location");
                mutants.Add(new Mutant(
                    relative,
                    m.GetProperty("mutatorName").GetString() ?? "",
                    m.TryGetProperty("replacement", out var r) ? r.GetString() ?? "" : "",
                    m.GetProperty("status").GetString() ?? "",
                    ReadPosition(location.GetProperty("start")),
                    ReadPosition(location.GetProperty("end"))));
            }

            files.Add((filePath, mutants));
        }

        return files;
    }

    /// <summary>
    /// Stryker's mutate patterns naming exactly the alive mutants of <paramref name="files"/>: per file,
    /// its glob followed by one character span per mutant (<c>**/ChainCore.Core/Consensus/Block.cs{120..131}{400..404}</c>).
    /// Stryker mutates a mutant when a span contains the mutated node's; one character of margin either
    /// side absorbs any difference in where a column counts from, and a neighbour caught by it is only tested again.
    /// </summary>
    public static IReadOnlyList<string> AlivePatterns(IEnumerable<(string Path, IReadOnlyList<Mutant> Mutants)> files, Func<string, string> readSource)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(readSource);
        var patterns = new List<string>();
        foreach (var (path, mutants) in files)
        {
            var alive = mutants.Where(m => m.IsAlive).ToList();
            if (alive.Count == 0)
            {
                continue;
            }

            var lineStarts = LineStarts(readSource(path));
            var spans = alive
                .Select(m => (Start: Math.Max(0, Offset(lineStarts, m.Start) - 1), End: Offset(lineStarts, m.End) + 1))
                .Distinct()
                .OrderBy(s => s.Start)
                .Select(s => string.Create(CultureInfo.InvariantCulture, $"{{{s.Start}..{s.End}}}"));
            patterns.Add("**/" + alive[0].File + string.Concat(spans));
        }

        return patterns;
    }

    /// <summary>
    /// Writes <paramref name="outConfig"/>: Stryker's configuration <paramref name="baseConfig"/> with its
    /// mutate patterns narrowed to the mutants <paramref name="firstReport"/> left alive, its test
    /// filter set to <paramref name="filter"/> and one mutant tested per session. Returns how many mutants it names; with none it writes nothing.
    /// </summary>
    public static int WriteRestConfig(string firstReport, string baseConfig, string filter, string outConfig)
    {
        var files = Read(firstReport);
        var alive = files.Sum(f => f.Mutants.Count(m => m.IsAlive));
        if (alive == 0)
        {
            return 0;
        }

        var missing = files.FirstOrDefault(f => f.Mutants.Any(m => m.IsAlive) && !File.Exists(f.Path)).Path;
        if (missing is not null)
        {
            throw new FileNotFoundException($"{missing} is in the report but not on disk: the second pass needs the checkout the first ran in", missing);
        }

        var config = JsonNode.Parse(File.ReadAllText(baseConfig))?["stryker-config"]?.AsObject()
            ?? throw new InvalidDataException($"{baseConfig} has no \"stryker-config\" object");
        config["mutate"] = new JsonArray([.. AlivePatterns(files, File.ReadAllText).Select(p => (JsonNode?)JsonValue.Create(p))]);
        config["test-case-filter"] = WithoutExplicitTests(filter, typeof(MutationReport).Assembly);
        // One mutant per session: these sessions start nodes and take minutes, and in a session of
        // several mutants one that hangs a test costs three timed-out sessions before Stryker tests
        // them one at a time anyway.
        config["disable-mix-mutants"] = true;
        File.WriteAllText(outConfig, new JsonObject { ["stryker-config"] = config.DeepClone() }.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return alive;
    }

    /// <summary>
    /// <paramref name="filter"/> narrowed to leave out every explicit fixture and test of <paramref name="tests"/>.
    /// A filtered run's discovery lists NUnit's explicit tests (those that fail on purpose, for the tests
    /// of failure evidence to run), but the run does not run them; Stryker then sees fewer results than
    /// tests and calls its initial run incomplete, with no reason given.
    /// </summary>
    public static string WithoutExplicitTests(string filter, Assembly tests)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(filter);
        ArgumentNullException.ThrowIfNull(tests);
        var excluded = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var type in tests.GetTypes())
        {
            if (type.IsDefined(typeof(ExplicitAttribute), inherit: false))
            {
                // A fixture's tests are Namespace.Type.Method (with arguments): the trailing dot keeps Type2 in.
                excluded.Add($"FullyQualifiedName!~{type.FullName}.");
                continue;
            }

            foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            {
                if (method.IsDefined(typeof(ExplicitAttribute), inherit: false))
                {
                    excluded.Add($"FullyQualifiedName!={type.FullName}.{method.Name}");
                    excluded.Add($"FullyQualifiedName!~{type.FullName}.{method.Name}(");
                }
            }
        }

        return excluded.Count == 0 ? filter : $"({filter})&{string.Join('&', excluded)}";
    }

    /// <summary>The score per folder (a path prefix such as <c>ChainCore.Core/Consensus</c>) of <paramref name="first"/>, its alive mutants replaced by what <paramref name="second"/> found for them.</summary>
    public static Scores Score(IReadOnlyList<string> folders, IEnumerable<Mutant> first, IEnumerable<Mutant>? second)
    {
        ArgumentNullException.ThrowIfNull(folders);
        ArgumentNullException.ThrowIfNull(first);
        var again = (second ?? []).GroupBy(m => m.Key).ToDictionary(g => g.Key, g => g.First());
        var counts = folders.ToDictionary(f => f, _ => new int[5]);
        var alive = new List<Mutant>();
        var killedBySecond = 0;
        foreach (var mutant in first)
        {
            var folder = folders.FirstOrDefault(f => mutant.File.StartsWith(f + "/", StringComparison.Ordinal));
            if (folder is null)
            {
                continue;
            }

            var final = mutant;
            if (mutant.IsAlive && again.TryGetValue(mutant.Key, out var retested) && retested.Status is "Killed" or "Timeout" or "Survived" or "NoCoverage")
            {
                final = retested;
                killedBySecond += retested.IsAlive ? 0 : 1;
            }

            var slot = final.Status switch
            {
                "Killed" => 0,
                "Survived" => 1,
                "Timeout" => 2,
                "NoCoverage" => 3,
                "Ignored" => 4,
                _ => -1, // CompileError, RuntimeError, Pending: outside the score, as in Stryker's
            };
            if (slot >= 0)
            {
                counts[folder][slot]++;
            }

            if (final.IsAlive)
            {
                alive.Add(final);
            }
        }

        return new Scores(
            [.. folders.Select(f => new FolderScore(f, counts[f][0], counts[f][1], counts[f][2], counts[f][3], counts[f][4]))],
            [.. alive.OrderBy(m => m.File, StringComparer.Ordinal).ThenBy(m => m.Start.Line).ThenBy(m => m.Start.Column)],
            killedBySecond);
    }

    /// <summary>
    /// <c>mutation-rest FIRST.json BASE-CONFIG.json FILTER OUT.json</c>: writes the second pass's configuration and prints how many mutants it names.
    /// <c>mutation-scores [--part] THRESHOLD F1,F2,… FIRST.json [SECOND.json]</c>: prints the survivors and the table; 1 when a folder is under the threshold.
    /// With <c>--part</c> (a run over some files only) a folder without any mutant was not mutated and is left out of the gate.
    /// </summary>
    public static int Run(string[] args, TextWriter output) => Run(args, output, part: false);

    private static int Run(string[] args, TextWriter output, bool part)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        switch (args)
        {
            case ["mutation-rest", var first, var baseConfig, var filter, var outConfig]:
                output.WriteLine(WriteRestConfig(first, baseConfig, filter, outConfig).ToString(CultureInfo.InvariantCulture));
                return 0;
            case ["mutation-scores", "--part", .. var partArgs]:
                return Run(["mutation-scores", .. partArgs], output, part: true);
            case ["mutation-scores", var threshold, var folders, var first, .. var rest] when rest.Length <= 1:
                var secondPath = rest.Length == 1 && File.Exists(rest[0]) ? rest[0] : null;
                var scores = Score(
                    folders.Split(',', StringSplitOptions.RemoveEmptyEntries),
                    Read(first).SelectMany(f => f.Mutants),
                    secondPath is null ? null : Read(secondPath).SelectMany(f => f.Mutants));
                return Print(scores, double.Parse(threshold, CultureInfo.InvariantCulture), rest.Length == 1 ? secondPath is not null : null, part, output);
            default:
                throw new ArgumentException("usage: mutation-rest FIRST.json BASE-CONFIG.json FILTER OUT.json | mutation-scores [--part] THRESHOLD FOLDER,… FIRST.json [SECOND.json]");
        }
    }

    private static int Print(Scores scores, double threshold, bool? secondRan, bool part, TextWriter output)
    {
        output.WriteLine();
        output.WriteLine("Surviving mutants (and mutants no test covers):");
        foreach (var m in scores.Alive)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {m.Status,-10} {m.File}:{m.Start.Line}  {m.Mutator}: {Shorten(m.Replacement)}"));
        }

        if (scores.Alive.Count == 0)
        {
            output.WriteLine("  none");
        }

        if (secondRan is not null)
        {
            output.WriteLine();
            output.WriteLine(secondRan.Value
                ? $"The second pass (the whole default selection) killed {scores.KilledBySecondPass} of the mutants the unit tests left alive."
                : "No second pass: the unit tests left no mutant alive.");
        }

        output.WriteLine();
        output.WriteLine($"{"folder",-32} {"mutants",8} {"killed",7} {"survived",9} {"timeout",8} {"no cover",9} {"ignored",8} {"score",7}");
        var failed = false;
        foreach (var f in scores.Folders)
        {
            if (part && f.Total == 0)
            {
                output.WriteLine($"{f.Folder,-32} {"not mutated in this run",-58}");
                continue;
            }

            var below = f.Percent is not { } percent || percent < threshold;
            failed |= below;
            var shown = f.Percent is { } p ? p.ToString("0.0", CultureInfo.InvariantCulture) + " %" : "n/a";
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{f.Folder,-32} {f.Total,8} {f.Killed,7} {f.Survived,9} {f.Timeout,8} {f.NoCoverage,9} {f.Ignored,8} {shown,7}{(below ? $"  BELOW {threshold} %" : "")}"));
        }

        return failed ? 1 : 0;
    }

    /// <summary>The path from the project's folder on, whatever folder the checkout is in.</summary>
    private static string ProjectRelative(string path)
    {
        var at = new[] { "ChainCore.Core/", "ChainCore.Node/" }.Max(p => path.LastIndexOf(p, StringComparison.Ordinal));
        return at < 0 ? path : path[at..];
    }

    private static List<int> LineStarts(string text)
    {
        var starts = new List<int> { 0 };
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\n')
            {
                starts.Add(i + 1);
            }
        }

        return starts;
    }

    private static int Offset(List<int> lineStarts, Position position) =>
        position.Line >= 1 && position.Line <= lineStarts.Count
            ? lineStarts[position.Line - 1] + position.Column - 1
            : throw new InvalidDataException($"line {position.Line} is not in the file (it has {lineStarts.Count}): the source changed since the report");

    private static Position ReadPosition(JsonElement e) => new(e.GetProperty("line").GetInt32(), e.GetProperty("column").GetInt32());

    private static string Shorten(string text)
    {
        var flat = text.ReplaceLineEndings(" ");
        return flat.Length <= 80 ? flat : flat[..77] + "...";
    }
}
