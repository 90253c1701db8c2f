using ChainCore.Tests.Harness;

namespace ChainCore.Tests.Unit.Harness;

/// <summary>The nightly's shards: every fixture in exactly one, heavy ones spread, the same split on every runner.</summary>
[TestFixture, Category("Unit")]
public sealed class TestShardsTests
{
    private static readonly string[] Names = ["A.One", "A.Two", "B.Three", "B.Four", "C.Five", "C.Six", "C.Seven"];

    [TestCase(1), TestCase(2), TestCase(3), TestCase(7), TestCase(10)]
    public void Every_fixture_lands_in_exactly_one_shard(int count)
    {
        var weights = Names.Select((n, i) => (n, w: (double)(i + 1))).ToDictionary(x => x.n, x => x.w);

        var shards = Enumerable.Range(1, count).Select(k => TestShards.Split(Names, weights, k, count)).ToList();

        shards.SelectMany(s => s).Order().ShouldBe(Names.Order());
        TestShards.Split(Names, weights, 1, count).ShouldBe(shards[0], "the same split every time");
    }

    [Test]
    public void The_heaviest_fixture_gets_a_shard_of_its_own_and_the_rest_are_balanced()
    {
        var weights = new Dictionary<string, double> { ["A.One"] = 100, ["A.Two"] = 10, ["B.Three"] = 10, ["B.Four"] = 10, ["C.Five"] = 10, ["C.Six"] = 10, ["C.Seven"] = 10 };

        var shards = Enumerable.Range(1, 3).Select(k => TestShards.Split(Names, weights, k, 3)).ToList();

        shards.ShouldContain(s => s.SequenceEqual(new[] { "A.One" }));
        shards.Where(s => !s.Contains("A.One")).Select(s => s.Count).ShouldBe([3, 3]);
    }

    [Test]
    public void A_fixture_never_measured_weighs_the_median_of_those_measured()
    {
        // Measured: 1, 2, 3 (median 2). Never measured: B.Four, C.Five, C.Six, C.Seven at 2 each.
        var weights = new Dictionary<string, double> { ["A.One"] = 1, ["A.Two"] = 2, ["B.Three"] = 3 };

        var loads = Enumerable.Range(1, 2)
            .Select(k => TestShards.Split(Names, weights, k, 2).Sum(f => weights.GetValueOrDefault(f, 2)))
            .ToList();

        loads.Sum().ShouldBe(14);
        Math.Abs(loads[0] - loads[1]).ShouldBeLessThanOrEqualTo(2);
    }

    [Test]
    public void The_filter_selects_whole_fixtures_and_not_others_sharing_a_prefix()
    {
        TestShards.Filter(["ChainCore.Tests.X.Foo", "ChainCore.Tests.X.Bar"])
            .ShouldBe("FullyQualifiedName~ChainCore.Tests.X.Foo.|FullyQualifiedName~ChainCore.Tests.X.Bar.");
        TestShards.Filter([]).ShouldNotBeEmpty("an empty shard selects nothing, not everything");
    }

    [TestCase("1/4", true), TestCase("4/4", true), TestCase("0/4", false), TestCase("5/4", false), TestCase("1/0", false), TestCase("-1/4", false),
     TestCase("1/257", false), TestCase("a/4", false), TestCase("1/4/2", false), TestCase("", false), TestCase(" 1/4", false)]
    public void A_shard_is_K_of_N(string text, bool valid) =>
        TestShards.TryParse(text, out _, out _).ShouldBe(valid);

    [Test]
    public void The_command_refuses_a_bad_shard_in_one_line_with_exit_code_2()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        TestShards.Run(["3/2"], output, error).ShouldBe(2);
        output.ToString().ShouldBeEmpty();
        error.ToString().Trim().ShouldBe("shard-filter: the shard must be K/N with 1 <= K <= N <= 256, not '3/2'");
    }

    [Test]
    public void The_fixtures_of_this_assembly_include_inherited_tests_and_split_into_shards_covering_them_all()
    {
        var fixtures = TestShards.Fixtures(typeof(TestShardsTests).Assembly);

        fixtures.ShouldContain(typeof(TestShardsTests).FullName!);
        fixtures.ShouldContain("ChainCore.Tests.Integration.Chaos.ChaosTests");
        fixtures.ShouldNotContain("ChainCore.Tests.Harness.NetworkTestBase", "a base class without tests of its own is no fixture");
        using var output = new StringWriter();
        using var error = new StringWriter();
        var filters = Enumerable.Range(1, 4).Select(k =>
        {
            output.GetStringBuilder().Clear();
            TestShards.Run([$"{k}/4"], output, error).ShouldBe(0, error.ToString());
            return output.ToString().Trim();
        }).ToList();
        filters.SelectMany(f => f.Split('|')).Count().ShouldBe(fixtures.Count);
    }

    [Test]
    public void Durations_are_summed_per_fixture_from_trx_files()
    {
        Directory.CreateDirectory(TestEnvironment.ScratchDirectory);
        var trx = Path.Combine(TestEnvironment.ScratchDirectory, "durations-" + Guid.NewGuid().ToString("N") + ".trx");
        File.WriteAllText(trx, """
            <?xml version="1.0" encoding="utf-8"?>
            <TestRun xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010">
              <Results>
                <UnitTestResult testId="1" testName="First" duration="00:00:01.5000000" />
                <UnitTestResult testId="2" testName="Second(3)" duration="00:00:02.2500000" />
                <UnitTestResult testId="3" testName="Third" duration="00:01:00.0000000" />
              </Results>
              <TestDefinitions>
                <UnitTest id="1" name="First"><TestMethod className="N.Alpha" name="First" /></UnitTest>
                <UnitTest id="2" name="Second(3)"><TestMethod className="N.Alpha" name="Second" /></UnitTest>
                <UnitTest id="3" name="Third"><TestMethod className="N.Beta" name="Third" /></UnitTest>
              </TestDefinitions>
            </TestRun>
            """);
        try
        {
            var durations = TestShards.Durations([trx, trx + ".missing"]);

            durations["N.Alpha"].ShouldBe(3.75, 1e-9);
            durations["N.Beta"].ShouldBe(60, 1e-9);
            durations.Count.ShouldBe(2);
        }
        finally
        {
            File.Delete(trx);
        }
    }
}
