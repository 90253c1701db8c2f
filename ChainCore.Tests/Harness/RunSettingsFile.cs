using System.Xml.Linq;

namespace ChainCore.Tests.Harness;

/// <summary>
/// testsettings.runsettings names the default selection (<c>RunConfiguration/TestCaseFilter</c>:
/// everything but Slow and Performance), and the test platform joins a command line's filter to it
/// with "and", so no command line can select a Slow test with it. scripts/test.sh runs other
/// selections (--all, --filter) with a copy of the file without that filter, everything else kept.
/// </summary>
public static class RunSettingsFile
{
    /// <summary>Writes <paramref name="source"/> to <paramref name="destination"/> without its default test selection.</summary>
    public static void WriteWithoutTestCaseFilter(string source, string destination)
    {
        var settings = XDocument.Load(source, LoadOptions.PreserveWhitespace);
        settings.Root?.Element("RunConfiguration")?.Element("TestCaseFilter")?.Remove();
        settings.Save(destination);
    }

    /// <summary>The default selection <paramref name="path"/> names, or null.</summary>
    public static string? TestCaseFilter(string path) =>
        (string?)XDocument.Load(path).Root?.Element("RunConfiguration")?.Element("TestCaseFilter");
}
