using ChainCore.Tests.Harness;
using ChainCore.Tests.Harness.Browser;
using ChainCore.Tests.Harness.Timeline;
using static Microsoft.Playwright.Assertions;

namespace ChainCore.Tests.E2E;

/// <summary>
/// A failed network test's timeline page, opened from its file as whoever reads the evidence would:
/// every node's and miner's lane is drawn, a click on a mark shows its log lines, a peer name made of
/// markup stays text, and the page asks nothing of any origin.
/// </summary>
[TestFixture, Category("E2E"), Category("Browser"), Category("Network")]
public sealed class TimelineBrowserTests
{
    [Test]
    public async Task A_failed_tests_timeline_opens_with_every_nodes_and_miners_lane_and_a_click_shows_the_marks_log_lines()
    {
        await using var browser = await TestBrowser.LaunchAsync();
        var directory = Path.Combine(TestEnvironment.ScratchDirectory, "timeline-browser-" + Guid.NewGuid().ToString("N"));
        var scenario = await TimelineScenario.WriteAsync(directory);
        await using var page = await browser.OpenFileAsync(scenario.Path, TestBrowser.Laptop);

        foreach (var lane in scenario.Nodes.Concat(scenario.Miners))
        {
            await Expect(page.Page.Locator($"g.lane[data-lane=\"{lane}\"]")).ToHaveCountAsync(1);
            await Expect(page.Page.Locator($".lane-label[data-lane=\"{lane}\"]")).ToBeVisibleAsync();
        }

        await Expect(page.Page.Locator(".band[data-kind=\"partition\"]").First).ToBeAttachedAsync();
        await page.Page.Locator(".mark[data-lane=\"node-1\"]").First.ClickAsync();
        await Expect(page.Page.Locator("#details-log")).Not.ToBeEmptyAsync();
        await page.ScreenshotAsync("failure-timeline", "The failure timeline of a three-node scenario");

        (await page.Page.EvaluateAsync<bool>("() => window.pwned === 1")).ShouldBeFalse("a peer's name made of markup is shown, never run");
        page.Errors.ShouldBeEmpty();
        page.OutsideRequests.ShouldBeEmpty();
    }
}
