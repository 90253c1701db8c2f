using System.Collections.Concurrent;
using Microsoft.Playwright;
using NUnit.Framework.Interfaces;
using NUnit.Framework.Internal;

namespace ChainCore.Tests.Harness.Browser;

/// <summary>
/// One page of a <see cref="TestBrowser"/>, recording what goes wrong on it: console errors,
/// uncaught exceptions and requests to other origins. <see cref="ScreenshotAsync"/> saves a picture
/// under <c>tests/reports/screenshots/</c>; a test that fails gets its pictures attached
/// (<see cref="ScreenshotsOnFailureAttribute"/>).
/// </summary>
public sealed class BrowserPage : IAsyncDisposable
{
    private readonly IBrowserContext _context;
    private readonly List<string> _errors = [];
    private readonly List<string> _outside = [];

    internal BrowserPage(IBrowserContext context, IPage page)
    {
        _context = context;
        Page = page;
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                Note(_errors, $"console: {message.Text} ({message.Location})");
            }
        };
        page.PageError += (_, error) => Note(_errors, $"uncaught: {error}");
    }

    public IPage Page { get; }

    /// <summary>Console errors and uncaught exceptions so far, in order.</summary>
    public IReadOnlyList<string> Errors => Snapshot(_errors);

    /// <summary>Requests the page made to another origin (refused).</summary>
    public IReadOnlyList<string> OutsideRequests => Snapshot(_outside);

    /// <summary>Folder of the screenshots: <c>tests/reports/screenshots/</c>.</summary>
    public static string ScreenshotFolder => Path.Combine(ReportPaths.Root, "screenshots");

    internal void NoteOutsideRequest(string url) => Note(_outside, url);

    /// <summary>
    /// Screenshots taken by each running test, by test id, until it ends. Static because the action
    /// that attaches them runs outside the test's objects; tests running at once use distinct ids, and
    /// each entry leaves when its test ends.
    /// </summary>
    private static readonly ConcurrentDictionary<string, ConcurrentQueue<(string File, string Description)>> Taken = new();

    /// <summary>
    /// Saves the whole page as <c>screenshots/&lt;test&gt;[-name].png</c> and returns the file. If the
    /// test fails, the picture is attached to it. A passing test attaches nothing: the test platform
    /// copies every attachment into a folder of its own under the results, which would otherwise be
    /// left behind by every run.
    /// </summary>
    public async Task<string> ScreenshotAsync(string? name = null, string? description = null)
    {
        Directory.CreateDirectory(ScreenshotFolder);
        var test = TestContext.CurrentContext.Test;
        var file = Path.Combine(ScreenshotFolder, ReportPaths.FolderNameFor(test.Name) + (name is null ? string.Empty : "-" + name) + ".png");
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = file, FullPage = true });
        Taken.GetOrAdd(test.ID, _ => new()).Enqueue((file, description ?? test.Name));
        return file;
    }

    /// <summary>The screenshots <paramref name="testId"/> took, forgotten here; attached to the current result if <paramref name="failed"/>.</summary>
    internal static IReadOnlyList<string> EndTest(string testId, bool failed)
    {
        if (!Taken.TryRemove(testId, out var shots))
        {
            return [];
        }

        if (failed)
        {
            foreach (var (file, description) in shots)
            {
                TestContext.AddTestAttachment(file, description);
            }
        }

        return [.. shots.Select(s => s.File)];
    }

    /// <summary>Milliseconds from navigation to the first contentful paint, as the browser measured it; null if it did not paint.</summary>
    public async Task<double?> FirstContentfulPaintAsync() =>
        await Page.EvaluateAsync<double?>("() => { const p = performance.getEntriesByName('first-contentful-paint')[0]; return p ? p.startTime : null; }");

    public ValueTask DisposeAsync() => _context.DisposeAsync();

    private static void Note(List<string> list, string text)
    {
        lock (list)
        {
            list.Add(text);
        }
    }

    private static List<string> Snapshot(List<string> list)
    {
        lock (list)
        {
            return [.. list];
        }
    }
}

/// <summary>Around every test: the screenshots a failed test took are attached to its result (see <see cref="BrowserPage.ScreenshotAsync"/>).</summary>
[AttributeUsage(AttributeTargets.Assembly | AttributeTargets.Class)]
public sealed class ScreenshotsOnFailureAttribute : Attribute, ITestAction
{
    public ActionTargets Targets => ActionTargets.Test;

    public void BeforeTest(ITest test)
    {
    }

    public void AfterTest(ITest test)
    {
        ArgumentNullException.ThrowIfNull(test);
        BrowserPage.EndTest(test.Id, TestExecutionContext.CurrentContext.CurrentResult.ResultState.Status == TestStatus.Failed);
    }
}
