using Microsoft.Playwright;

namespace ChainCore.Tests.Harness.Browser;

/// <summary>
/// A headless Chromium driven through Playwright, launched from the machine's own browser (no
/// download). One per fixture: <see cref="LaunchAsync"/> in a one-time set-up, dispose in the
/// one-time tear-down. Each test opens its pages with <see cref="OpenAsync"/> or <see cref="OpenFileAsync"/>.
/// No browser is a failure that says how to get one, never a skipped test.
/// </summary>
public sealed class TestBrowser : IAsyncDisposable
{
    // Flags for a browser that runs as root in a container, talks to nothing but the page's origin
    // and leaves nothing behind.
    private static readonly string[] Flags =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
    ];

    private readonly IPlaywright _playwright;

    private TestBrowser(IPlaywright playwright, IBrowser browser, string executable)
    {
        _playwright = playwright;
        Browser = browser;
        Executable = executable;
    }

    public IBrowser Browser { get; }

    public string Executable { get; }

    /// <summary>A phone-sized window (an iPhone 12's CSS pixels).</summary>
    public static readonly ViewportSize Phone = new() { Width = 390, Height = 844 };

    /// <summary>A laptop-sized window.</summary>
    public static readonly ViewportSize Laptop = new() { Width = 1280, Height = 800 };

    /// <summary>Starts the machine's Chromium headless; fails the test with how to install one when there is none.</summary>
    public static async Task<TestBrowser> LaunchAsync()
    {
        var executable = BrowserLocator.Find();
        if (executable is null)
        {
            Assert.Fail(BrowserLocator.HowToInstall);
        }

        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = executable,
                Headless = true,
                Args = Flags,
                Timeout = (float)Timeouts.Scale(TimeSpan.FromSeconds(30)).TotalMilliseconds,
            });
            return new TestBrowser(playwright, browser, executable!);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens <paramref name="url"/> in a fresh context (no shared cookies or cache) and waits for its
    /// load event. Requests to any other origin are refused and recorded: a page that must work offline
    /// shows any it makes in <see cref="BrowserPage.OutsideRequests"/>.
    /// </summary>
    public async Task<BrowserPage> OpenAsync(Uri url, ViewportSize? viewport = null)
    {
        ArgumentNullException.ThrowIfNull(url);
        var page = await NewPageAsync(viewport, url.GetLeftPart(UriPartial.Authority));
        await page.Page.GotoAsync(url.ToString(), new PageGotoOptions { WaitUntil = WaitUntilState.Load });
        return page;
    }

    /// <summary>Opens a file (a self-contained HTML report) as <c>file://</c>; it may load other files, nothing from the network.</summary>
    public async Task<BrowserPage> OpenFileAsync(string path, ViewportSize? viewport = null)
    {
        var page = await NewPageAsync(viewport, origin: null);
        await page.Page.GotoAsync(new Uri(Path.GetFullPath(path)).AbsoluteUri, new PageGotoOptions { WaitUntil = WaitUntilState.Load });
        return page;
    }

    private async Task<BrowserPage> NewPageAsync(ViewportSize? viewport, string? origin)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = viewport ?? Laptop });
        context.SetDefaultTimeout((float)Timeouts.Scale(TimeSpan.FromSeconds(10)).TotalMilliseconds);
        var page = new BrowserPage(context, await context.NewPageAsync());
        await context.RouteAsync("**/*", async route =>
        {
            var url = route.Request.Url;
            var allowed = origin is null ? url.StartsWith("file:", StringComparison.Ordinal) : url.StartsWith(origin + "/", StringComparison.OrdinalIgnoreCase);
            if (allowed || url.StartsWith("data:", StringComparison.Ordinal))
            {
                await route.ContinueAsync();
                return;
            }

            page.NoteOutsideRequest(url);
            await route.AbortAsync("blockedbyclient");
        });
        return page;
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
    }
}
