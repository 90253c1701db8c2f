using ChainCore.Node;

namespace ChainCore.Tests.Unit.Node;

/// <summary>The <c>--dashboard</c> switch and where the dashboard is served by default: regtest and devnet, not main.</summary>
[TestFixture, Category("Unit")]
public sealed class DashboardSettingsTests
{
    private static NodeCommandLine.Outcome Parse(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var outcome = new NodeCommandLine().Parse(args, output, error);
        error.ToString().ShouldBeEmpty();
        return outcome;
    }

    [TestCase(new string[0], null)]
    [TestCase(new[] { "--dashboard" }, "true")]
    [TestCase(new[] { "--dashboard", "true" }, "true")]
    [TestCase(new[] { "--dashboard", "false" }, "false")]
    [TestCase(new[] { "--network", "main", "--dashboard" }, "true")]
    public void The_switch_sets_the_dashboard_key_only_when_given(string[] args, string? expected)
    {
        var outcome = Parse(args);

        outcome.ExitCode.ShouldBeNull();
        outcome.Settings.GetValueOrDefault("Node:Dashboard").ShouldBe(expected);
    }

    [Test]
    public void A_value_that_is_not_true_or_false_is_refused_naming_the_flag()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var outcome = new NodeCommandLine().Parse(["--dashboard", "sometimes"], output, error);

        outcome.ExitCode.ShouldBe(NodeCommandLine.ExitBadUsage);
        error.ToString().ShouldContain("sometimes");
    }

    [Test]
    public void Help_names_the_switch()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        new NodeCommandLine().Parse(["--help"], output, error).ExitCode.ShouldBe(0);

        output.ToString().ShouldContain("--dashboard");
    }

    [TestCase("regtest", null, true)]
    [TestCase("devnet", null, true)]
    [TestCase("main", null, false)]
    [TestCase("MAIN", null, false)]
    [TestCase("main", true, true)]
    [TestCase("regtest", false, false)]
    public void The_dashboard_is_on_by_default_except_on_main(string network, bool? setting, bool enabled) =>
        new NodeOptions { Network = network, Dashboard = setting }.DashboardEnabled.ShouldBe(enabled);
}
