using ChainCore.Tests.Harness;
using ChainCore.Tests.Harness.Browser;

namespace ChainCore.Tests.Unit.Harness;

/// <summary>Where the browser tests look for a browser: the named executable alone when one is named, else PATH first.</summary>
[TestFixture, Category("Unit")]
public sealed class BrowserLocatorTests
{
    [Test]
    public void A_named_executable_that_does_not_exist_finds_nothing_rather_than_another_browser() =>
        BrowserLocator.Find("/no/such/chromium", Environment.GetEnvironmentVariable("PATH")).ShouldBeNull();

    [Test]
    public void A_browser_on_PATH_is_found_before_the_usual_folders()
    {
        var dir = Path.Combine(TestEnvironment.ScratchDirectory, "browser-path-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var browser = Path.Combine(dir, OperatingSystem.IsWindows() ? "chromium.exe" : "chromium");
            File.WriteAllText(browser, string.Empty);

            BrowserLocator.Find(null, dir).ShouldBe(browser);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void The_message_for_a_missing_browser_says_how_to_get_one()
    {
        BrowserLocator.HowToInstall.ShouldContain("scripts/chromium.sh");
        BrowserLocator.HowToInstall.ShouldContain(BrowserLocator.EnvironmentVariable);
    }
}
