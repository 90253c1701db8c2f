using System.Xml.Linq;
using ChainCore.Tests.Harness;
using ChainCore.Tests.Harness.Browser;

namespace ChainCore.Tests.Integration.Harness;

/// <summary>
/// A failed browser test carries its screenshots; a passing one attaches nothing, so a run that
/// passes leaves no attachment folder of the test platform's (<c>&lt;user&gt;_&lt;machine&gt;_&lt;time&gt;/In/…</c>)
/// behind in the reports. Checked on a child run of two browser tests, one failing on purpose.
/// </summary>
[TestFixture, Category("Integration"), Category("Browser"), Category("Slow")]
public sealed class ScreenshotAttachmentTests
{
    [Test]
    public async Task Only_the_failed_browser_test_has_its_screenshot_attached()
    {
        var work = Directory.CreateTempSubdirectory("chaincore-screenshots-").FullName;
        try
        {
            var (exitCode, transcript) = await ChildProcesses.RunTestsAsync(
                $"FullyQualifiedName~{nameof(ScreenshotsOnPurposeTests)}",
                work,
                new Dictionary<string, string> { [ScreenshotsOnPurposeTests.Guard] = "1", [ReportPaths.EnvironmentVariable] = Path.Combine(work, "reports") });

            exitCode.ShouldNotBe(0, transcript);
            var trx = XDocument.Load(Path.Combine(work, "child.trx"));
            XNamespace ns = trx.Root!.Name.NamespaceName;
            var results = trx.Descendants(ns + "UnitTestResult").ToDictionary(r => r.Attribute("testName")!.Value);
            results.Count.ShouldBe(2, transcript);
            List<string> Attached(string test) => [.. results[test].Descendants(ns + "ResultFile").Select(f => Path.GetFileName(f.Attribute("path")!.Value))];

            results[nameof(ScreenshotsOnPurposeTests.Fails_after_a_screenshot)].Attribute("outcome")!.Value.ShouldBe("Failed");
            Attached(nameof(ScreenshotsOnPurposeTests.Fails_after_a_screenshot)).ShouldBe([nameof(ScreenshotsOnPurposeTests.Fails_after_a_screenshot) + ".png"]);
            results[nameof(ScreenshotsOnPurposeTests.Passes_after_a_screenshot)].Attribute("outcome")!.Value.ShouldBe("Passed");
            Attached(nameof(ScreenshotsOnPurposeTests.Passes_after_a_screenshot)).ShouldBeEmpty();

            var copied = Directory.GetFiles(work, "*.png", SearchOption.AllDirectories)
                .Where(f => !f.StartsWith(Path.Combine(work, "reports"), StringComparison.Ordinal))
                .Select(Path.GetFileName);
            copied.ShouldBe([nameof(ScreenshotsOnPurposeTests.Fails_after_a_screenshot) + ".png"], "the test platform copies attachments only");
            Directory.GetFiles(Path.Combine(work, "reports", "screenshots")).Length.ShouldBe(2, "both pictures are in the reports' screenshots folder");
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}

/// <summary>Two browser tests that take a screenshot, one failing on purpose; run only by <see cref="ScreenshotAttachmentTests"/> (explicit, and guarded by an environment variable).</summary>
[TestFixture, Category("Integration"), Category("Browser"), Explicit("Fails on purpose; run by ScreenshotAttachmentTests")]
public sealed class ScreenshotsOnPurposeTests
{
    public const string Guard = "CHAINCORE_SCREENSHOTS_ON_PURPOSE";

    private TestBrowser _browser = null!;

    [OneTimeSetUp]
    public async Task LaunchAsync()
    {
        if (Environment.GetEnvironmentVariable(Guard) != "1")
        {
            Assert.Ignore($"Fails on purpose; runs only with {Guard}=1.");
        }

        _browser = await TestBrowser.LaunchAsync();
    }

    [OneTimeTearDown]
    public async Task CloseAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }
    }

    [Test]
    public async Task Passes_after_a_screenshot() => await ShootAsync();

    [Test]
    public async Task Fails_after_a_screenshot()
    {
        await ShootAsync();
        Assert.Fail("Failing on purpose, to have the screenshot attached.");
    }

    private async Task ShootAsync()
    {
        var folder = Directory.CreateDirectory(Path.Combine(TestEnvironment.ScratchDirectory, "screenshots-on-purpose")).FullName;
        var file = Path.Combine(folder, $"page-{Guid.NewGuid():N}.html");
        await File.WriteAllTextAsync(file, "<!doctype html><html><body><p>a page</p></body></html>");
        await using var page = await _browser.OpenFileAsync(file);
        await page.ScreenshotAsync();
    }
}
