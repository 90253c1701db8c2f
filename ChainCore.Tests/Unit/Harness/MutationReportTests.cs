using System.Globalization;
using System.Text.Json.Nodes;
using ChainCore.Tests.Harness;
using static ChainCore.Tests.Harness.MutationReport;

namespace ChainCore.Tests.Unit.Harness;

/// <summary>
/// scripts/mutation.sh's second pass names exactly the mutants the first left alive, and the merged
/// score counts a mutant killed by either pass, over reports written as Stryker writes them.
/// </summary>
[TestFixture, Category("Unit")]
public sealed class MutationReportTests
{
    private const string Source = "class A\n{\n    int F(int x) => x < 10 ? 1 : 2;\n    string M() => \"text\";\n}\n";

    private string _dir = null!;

    [SetUp]
    public void MakeFolder() => _dir = Directory.CreateTempSubdirectory("chaincore-mutation-").FullName;

    [TearDown]
    public void RemoveFolder() => Directory.Delete(_dir, recursive: true);

    private static Mutant At(string status, int line, int startColumn, int endColumn, string mutator = "Equality mutation", string replacement = "x <= 10", string file = "ChainCore.Core/Consensus/A.cs") =>
        new(file, mutator, replacement, status, new Position(line, startColumn), new Position(line, endColumn));

    [Test]
    public void The_second_pass_names_each_alive_mutant_by_a_span_that_holds_it_and_no_killed_one()
    {
        // "x < 10" sits on line 3 from column 21 to 27 (end exclusive), characters 30 to 36 of the file;
        // the killed "1" at characters 39 to 40.
        var comparison = At("Survived", 3, 21, 27);
        var literal = At("NoCoverage", 4, 19, 25, "String mutation", "\"\"");
        var killed = At("Killed", 3, 30, 31, "Number mutation", "0");

        var patterns = AlivePatterns([("/checkout/ChainCore.Core/Consensus/A.cs", [comparison, literal, killed])], _ => Source);

        patterns.ShouldHaveSingleItem().ShouldStartWith("**/ChainCore.Core/Consensus/A.cs{");
        var spans = Spans(patterns[0]);
        spans.Count.ShouldBe(2);
        Source[(spans[0].Start + 1)..(spans[0].End - 1)].ShouldBe("x < 10");
        Source[(spans[1].Start + 1)..(spans[1].End - 1)].ShouldBe("\"text\"");
        spans.ShouldNotContain(s => s.Start <= 39 && 40 <= s.End, "the killed mutant on the same line is in no span");
    }

    [Test]
    public void Spans_count_characters_of_the_file_as_it_is_with_windows_line_endings_too()
    {
        var crlf = Source.ReplaceLineEndings("\r\n");

        var patterns = AlivePatterns([("ChainCore.Core/Consensus/A.cs", [At("Survived", 3, 21, 27)])], _ => crlf);

        var span = Spans(patterns.ShouldHaveSingleItem()).ShouldHaveSingleItem();
        crlf[(span.Start + 1)..(span.End - 1)].ShouldBe("x < 10");
    }

    [Test]
    public void A_location_beyond_the_file_is_refused_since_the_source_changed_since_the_report()
    {
        Should.Throw<InvalidDataException>(() => AlivePatterns([("A.cs", [At("Survived", 40, 1, 2)])], _ => Source))
            .Message.ShouldContain("line 40");
    }

    [Test]
    public void The_rest_config_keeps_the_base_settings_and_sets_the_mutants_the_default_filter_and_one_mutant_per_session()
    {
        var source = WriteSource();
        var report = WriteReport(source, ("Survived", 3, 21, 27), ("Killed", 3, 30, 31));
        var baseConfig = Path.Combine(_dir, "base.json");
        File.WriteAllText(baseConfig, """{ "stryker-config": { "project": "ChainCore.Core.csproj", "mutate": ["**/Consensus/**/*.cs"], "test-case-filter": "Category=Unit", "concurrency": 2 } }""");
        var outConfig = Path.Combine(_dir, "rest.json");

        WriteRestConfig(report, baseConfig, "Category!=Slow&Category!=Performance", outConfig).ShouldBe(1);

        var config = JsonNode.Parse(File.ReadAllText(outConfig))!["stryker-config"]!;
        config["project"]!.GetValue<string>().ShouldBe("ChainCore.Core.csproj");
        config["concurrency"]!.GetValue<int>().ShouldBe(2);
        config["disable-mix-mutants"]!.GetValue<bool>().ShouldBeTrue("a hung test in a session of many mutants costs three timed-out sessions");
        config["test-case-filter"]!.GetValue<string>().ShouldStartWith("(Category!=Slow&Category!=Performance)&");
        config["mutate"]!.AsArray().ShouldHaveSingleItem()!.GetValue<string>().ShouldStartWith("**/ChainCore.Core/Consensus/A.cs{");
    }

    [Test]
    public void The_second_pass_leaves_out_the_explicit_tests_a_filtered_run_lists_but_never_runs()
    {
        var filter = WithoutExplicitTests("Category!=Slow", typeof(MutationReport).Assembly);

        filter.ShouldStartWith("(Category!=Slow)&");
        filter.ShouldContain($"FullyQualifiedName!~{typeof(ChainCore.Tests.Integration.Harness.FailingOnPurposeTests).FullName}.");
        var explicitFixtures = typeof(MutationReport).Assembly.GetTypes().Where(t => t.IsDefined(typeof(ExplicitAttribute), false)).ToList();
        explicitFixtures.Count.ShouldBeGreaterThanOrEqualTo(2);
        foreach (var fixture in explicitFixtures)
        {
            filter.ShouldContain($"FullyQualifiedName!~{fixture.FullName}.");
        }

        WithoutExplicitTests("Category=Unit", typeof(ShouldlyConfiguration).Assembly).ShouldBe("Category=Unit");
    }

    [Test]
    public void With_every_mutant_killed_no_rest_config_is_written()
    {
        var report = WriteReport(WriteSource(), ("Killed", 3, 21, 27), ("Timeout", 3, 30, 31));
        var outConfig = Path.Combine(_dir, "rest.json");

        WriteRestConfig(report, Path.Combine(_dir, "absent.json"), "Category!=Slow", outConfig).ShouldBe(0);

        File.Exists(outConfig).ShouldBeFalse();
    }

    [Test]
    public void A_report_of_another_checkout_is_refused_rather_than_mutating_the_wrong_places()
    {
        var report = WriteReport(Path.Combine(_dir, "gone", "ChainCore.Core", "Consensus", "A.cs"), ("Survived", 3, 21, 27));

        Should.Throw<FileNotFoundException>(() => WriteRestConfig(report, "base.json", "Category!=Slow", Path.Combine(_dir, "rest.json")))
            .Message.ShouldContain("not on disk");
    }

    [Test]
    public void A_mutant_either_pass_killed_counts_as_killed_and_a_retested_survivor_keeps_the_second_status()
    {
        var folders = new[] { "ChainCore.Core/Consensus", "ChainCore.Core/Crypto" };
        var first = new[]
        {
            At("Killed", 3, 1, 2),
            At("Survived", 3, 21, 27),
            At("NoCoverage", 4, 19, 25, "String mutation", "\"\""),
            At("Survived", 5, 1, 2, file: "ChainCore.Core/Crypto/B.cs"),
            At("Ignored", 6, 1, 2, file: "ChainCore.Core/Crypto/B.cs"),
            At("CompileError", 7, 1, 2, file: "ChainCore.Core/Crypto/B.cs"),
            At("Survived", 1, 1, 2, file: "ChainCore.Core/Primitives/C.cs"),
        };
        var second = new[]
        {
            At("Killed", 3, 21, 27),
            At("Survived", 4, 19, 25, "String mutation", "\"\""),
            At("Killed", 3, 1, 2, "Equality mutation", "x > 10"), // another mutant in the same place: not the one above
        };

        var scores = Score(folders, first, second);

        scores.KilledBySecondPass.ShouldBe(1);
        var consensus = scores.Folders[0];
        (consensus.Killed, consensus.Survived, consensus.NoCoverage).ShouldBe((2, 1, 0));
        consensus.Percent.ShouldBe(200.0 / 3);
        var crypto = scores.Folders[1];
        (crypto.Killed, crypto.Survived, crypto.Ignored, crypto.Total).ShouldBe((0, 1, 1, 2));
        crypto.Percent.ShouldBe(0);
        scores.Alive.Select(m => (m.File, m.Start.Line, m.Status)).ShouldBe([
            ("ChainCore.Core/Consensus/A.cs", 4, "Survived"),
            ("ChainCore.Core/Crypto/B.cs", 5, "Survived")]);
    }

    [Test]
    public void A_folder_with_no_scored_mutant_has_no_score_and_fails_the_gate()
    {
        var scores = Score(["ChainCore.Node/Chain"], [At("Ignored", 1, 1, 2, file: "ChainCore.Node/Chain/X.cs")], null);

        scores.Folders.ShouldHaveSingleItem().Percent.ShouldBeNull();
    }

    [Test]
    public void A_run_over_some_files_leaves_the_folders_it_did_not_mutate_out_of_the_gate()
    {
        var report = WriteReport(WriteSource(), ("Killed", 3, 21, 27));
        var output = new StringWriter();

        Run(["mutation-scores", "90", "ChainCore.Core/Consensus,ChainCore.Core/Crypto", report], output).ShouldBe(1, "a whole run with a folder of no mutant is misconfigured");
        output = new StringWriter();
        Run(["mutation-scores", "--part", "90", "ChainCore.Core/Consensus,ChainCore.Core/Crypto", report], output).ShouldBe(0);
        output.ToString().ShouldContain("ChainCore.Core/Crypto");
        output.ToString().ShouldContain("not mutated in this run");
        Run(["mutation-scores", "--part", "101", "ChainCore.Core/Consensus,ChainCore.Core/Crypto", report], new StringWriter()).ShouldBe(1, "a folder it did mutate still counts");
    }

    [Test]
    public void The_score_step_fails_under_the_threshold_lists_the_survivors_and_passes_at_it()
    {
        var source = WriteSource();
        var report = WriteReport(source, ("Killed", 3, 21, 27), ("Killed", 3, 30, 31), ("Survived", 4, 19, 25));
        var output = new StringWriter();

        Run(["mutation-scores", "66", "ChainCore.Core/Consensus", report], output).ShouldBe(0);
        Run(["mutation-scores", "67", "ChainCore.Core/Consensus", report, Path.Combine(_dir, "no-second-pass.json")], output).ShouldBe(1);

        var text = output.ToString();
        text.ShouldContain("Survived   ChainCore.Core/Consensus/A.cs:4");
        text.ShouldContain("66.7 %  BELOW 67 %");
        text.ShouldContain("No second pass: the unit tests left no mutant alive.");
    }

    private static List<(int Start, int End)> Spans(string pattern) =>
        [.. System.Text.RegularExpressions.Regex.Matches(pattern, @"\{(\d+)\.\.(\d+)\}").Select(m => (int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)))];

    private string WriteSource()
    {
        var path = Path.Combine(_dir, "ChainCore.Core", "Consensus", "A.cs");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, Source);
        return path;
    }

    /// <summary>A report as Stryker writes it: files by their full path, mutants with 1-based locations.</summary>
    private string WriteReport(string sourcePath, params (string Status, int Line, int Start, int End)[] mutants)
    {
        var array = new JsonArray([.. mutants.Select((m, i) => (JsonNode?)new JsonObject
        {
            ["id"] = i.ToString(CultureInfo.InvariantCulture),
            ["mutatorName"] = "Equality mutation",
            ["replacement"] = "x <= 10",
            ["status"] = m.Status,
            ["location"] = new JsonObject
            {
                ["start"] = new JsonObject { ["line"] = m.Line, ["column"] = m.Start },
                ["end"] = new JsonObject { ["line"] = m.Line, ["column"] = m.End },
            },
        })]);
        var report = new JsonObject
        {
            ["schemaVersion"] = "2",
            ["files"] = new JsonObject { [sourcePath] = new JsonObject { ["language"] = "cs", ["mutants"] = array } },
        };
        var path = Path.Combine(_dir, $"report-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, report.ToJsonString());
        return path;
    }
}
