using ChainCore.Tests.Harness;

namespace ChainCore.Tests.Unit.Harness;

[TestFixture, Category("Unit")]
public sealed class RunSettingsFileTests
{
    private static string Committed => Path.Combine(ReportPaths.RepositoryRoot, "testsettings.runsettings");

    [Test]
    public void The_settings_select_the_default_run_everything_but_Slow_and_Performance()
    {
        RunSettingsFile.TestCaseFilter(Committed).ShouldBe("Category!=Slow&Category!=Performance");
    }

    [Test]
    public void The_copy_for_other_selections_drops_the_filter_and_keeps_everything_else()
    {
        var copy = Path.Combine(Directory.CreateTempSubdirectory("chaincore-settings-").FullName, "selection.runsettings");
        try
        {
            RunSettingsFile.WriteWithoutTestCaseFilter(Committed, copy);

            RunSettingsFile.TestCaseFilter(copy).ShouldBeNull();
            var text = File.ReadAllText(copy);
            text.ShouldContain("<Parameter name=\"TimeoutFactor\"");
            text.ShouldContain("<TestSessionTimeout>");
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(copy)!, recursive: true);
        }
    }
}
