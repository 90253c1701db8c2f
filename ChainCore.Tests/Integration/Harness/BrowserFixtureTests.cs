using ChainCore.Tests.Harness;
using ChainCore.Tests.Harness.Browser;

namespace ChainCore.Tests.Integration.Harness;

/// <summary>
/// The browser fixture catches what it is there to catch: a page's console errors, its uncaught
/// exceptions and its requests to other origins (refused), on a <c>file://</c> page as a test's
/// evidence folder holds one; and its screenshots land in the reports (and on the test if it fails).
/// </summary>
[TestFixture, Category("Integration"), Category("Browser")]
public sealed class BrowserFixtureTests
{
    private TestBrowser _browser = null!;
    private string _directory = null!;

    [OneTimeSetUp]
    public async Task LaunchAsync()
    {
        _browser = await TestBrowser.LaunchAsync();
        _directory = Path.Combine(TestEnvironment.ScratchDirectory, "browser-fixture-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
    }

    [OneTimeTearDown]
    public async Task CloseAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        if (_directory is not null && Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Test]
    public async Task A_file_page_s_console_errors_uncaught_exceptions_and_outside_requests_are_recorded()
    {
        var file = Path.Combine(_directory, "broken.html");
        await File.WriteAllTextAsync(file, """
            <!doctype html><html><body><h1 id="title">A broken page</h1>
            <img src="https://cdn.example.com/logo.png" alt="">
            <script>console.error('the page broke'); throw new Error('uncaught on purpose');</script>
            </body></html>
            """);

        await using var page = await _browser.OpenFileAsync(file);
        var screenshot = await page.ScreenshotAsync();

        (await page.Page.Locator("#title").TextContentAsync()).ShouldBe("A broken page");
        page.OutsideRequests.ShouldBe(["https://cdn.example.com/logo.png"]);
        page.Errors.ShouldContain(e => e.Contains("the page broke", StringComparison.Ordinal));
        page.Errors.ShouldContain(e => e.Contains("uncaught on purpose", StringComparison.Ordinal));
        screenshot.ShouldStartWith(BrowserPage.ScreenshotFolder);
        new FileInfo(screenshot).Length.ShouldBeGreaterThan(0);
    }

    [Test]
    public async Task A_clean_file_page_records_nothing()
    {
        var file = Path.Combine(_directory, "clean.html");
        await File.WriteAllTextAsync(file, "<!doctype html><html><body><p>fine</p><script>console.log('hello')</script></body></html>");

        await using var page = await _browser.OpenFileAsync(file);
        await page.ScreenshotAsync();

        page.Errors.ShouldBeEmpty();
        page.OutsideRequests.ShouldBeEmpty();
    }
}
