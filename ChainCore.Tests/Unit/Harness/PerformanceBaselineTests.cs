using System.Text.Json.Nodes;
using ChainCore.Tests.Harness;

namespace ChainCore.Tests.Unit.Harness;

[TestFixture, Category("Unit")]
public sealed class PerformanceBaselineTests
{
    private static readonly JsonObject Baseline = JsonNode.Parse("""
        {
          "tolerance": 0.10,
          "measurements": {
            "connect": { "rate_ratio": { "value": 1000, "better": "higher" }, "p50_ratio": { "value": 2.0, "better": "lower" } }
          }
        }
        """)!.AsObject();

    [TestCase(1000, 2.0, false, false)]
    [TestCase(901, 2.19, false, false)]
    [TestCase(899, 2.0, true, false)]
    [TestCase(1500, 2.21, false, true)]
    public void A_figure_more_than_ten_percent_worse_is_a_regression(double rate, double p50, bool rateRegressed, bool latencyRegressed)
    {
        var comparisons = PerformanceBaseline.Compare(Baseline, Current(rate, p50));

        comparisons.Single(c => c.Figure == "rate_ratio").IsRegression.ShouldBe(rateRegressed);
        comparisons.Single(c => c.Figure == "p50_ratio").IsRegression.ShouldBe(latencyRegressed);
    }

    [Test]
    public void A_figure_with_its_own_tolerance_is_judged_by_it_and_keeps_it_through_an_update()
    {
        var baseline = JsonNode.Parse("""
            {
              "tolerance": 0.10,
              "measurements": { "connect": { "rate_ratio": { "value": 1000, "better": "higher", "tolerance": 0.30 } } }
            }
            """)!.AsObject();

        PerformanceBaseline.Compare(baseline, Current(750, 2.0)).Single().IsRegression.ShouldBeFalse("25 % worse, within its own 30 %");
        PerformanceBaseline.Compare(baseline, Current(650, 2.0)).Single().IsRegression.ShouldBeTrue();
        var updated = JsonNode.Parse(PerformanceBaseline.Update(baseline, Current(1234, 2.0)))!;
        updated["measurements"]!["connect"]!["rate_ratio"]!["tolerance"]!.GetValue<double>().ShouldBe(0.30);
    }

    [Test]
    public void Run_fails_only_when_asked_and_names_the_regression()
    {
        var dir = Directory.CreateTempSubdirectory("chaincore-perf-").FullName;
        try
        {
            var baseline = Path.Combine(dir, "baseline.json");
            File.WriteAllText(baseline, Baseline.ToJsonString());
            var figures = Directory.CreateDirectory(Path.Combine(dir, "performance")).FullName;
            File.WriteAllText(Path.Combine(figures, "connect.json"), """{"name":"connect","figures":{"rate_ratio":700,"p50_ratio":2.0,"rounds":5}}""");
            using var output = new StringWriter();

            PerformanceBaseline.Run(baseline, figures, failOnRegression: true, output).ShouldBe(1);
            PerformanceBaseline.Run(baseline, figures, failOnRegression: false, TextWriter.Null).ShouldBe(0);
            output.ToString().ShouldContain("REGRESSION connect rate_ratio: 700 against 1000 (worse by 30 %, higher is better)");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void Update_takes_the_latest_figures_and_keeps_the_directions()
    {
        var updated = JsonNode.Parse(PerformanceBaseline.Update(Baseline, Current(1234, 1.5)))!;

        updated["measurements"]!["connect"]!["rate_ratio"]!["value"]!.GetValue<double>().ShouldBe(1234);
        updated["measurements"]!["connect"]!["p50_ratio"]!["better"]!.GetValue<string>().ShouldBe("lower");
    }

    [Test]
    public void The_committed_baseline_names_a_direction_for_each_figure()
    {
        var committed = JsonNode.Parse(File.ReadAllText(Path.Combine(ReportPaths.RepositoryRoot, "tests", "baselines", "performance.json")))!;

        var figures = committed["measurements"]!.AsObject().SelectMany(m => m.Value!.AsObject()).ToList();

        figures.ShouldNotBeEmpty();
        figures.ShouldAllBe(f => f.Value!["better"]!.GetValue<string>() == "higher" || f.Value!["better"]!.GetValue<string>() == "lower");
    }

    [Test]
    public void A_baseline_that_gates_an_absolute_figure_is_refused()
    {
        var absolute = JsonNode.Parse("""{ "measurements": { "connect": { "inputs_per_second": { "value": 1000, "better": "higher" } } } }""")!.AsObject();

        Should.Throw<InvalidDataException>(() => PerformanceBaseline.Compare(absolute, Current(1000, 2.0)))
            .Message.ShouldContain("connect inputs_per_second, an absolute figure");
    }

    [Test]
    public void The_committed_baseline_gates_only_ratios_and_names_the_machine_it_came_from()
    {
        var committed = JsonNode.Parse(File.ReadAllText(Path.Combine(ReportPaths.RepositoryRoot, "tests", "baselines", "performance.json")))!.AsObject();

        committed["machine"]!.GetValue<string>().ShouldNotBeNullOrWhiteSpace();
        committed["measurements"]!.AsObject().SelectMany(m => m.Value!.AsObject().Select(f => f.Key))
            .ShouldAllBe(figure => figure.Contains(PerformanceBaseline.RatioMarker));
        Should.NotThrow(() => PerformanceBaseline.Compare(committed, new Dictionary<string, IReadOnlyDictionary<string, double>>()));
    }

    private static Dictionary<string, IReadOnlyDictionary<string, double>> Current(double rate, double p50) =>
        new() { ["connect"] = new Dictionary<string, double> { ["rate_ratio"] = rate, ["p50_ratio"] = p50 } };
}
