using System.Text.RegularExpressions;

namespace ChainCore.Tests.Harness.Timeline;

/// <summary>
/// Turns the timeline addresses that failed tests' messages end with into links in the html test
/// report, which shows messages as plain text and attachments not at all (scripts/test.sh runs it
/// after the tests: <c>ChainCore.Tests link-evidence REPORT.html…</c>).
/// </summary>
public static partial class ReportLinks
{
    /// <summary>The report with every timeline address made a link (addresses already linked stay as they are).</summary>
    public static string LinkTimelines(string html)
    {
        ArgumentNullException.ThrowIfNull(html);
        // The report escapes message text, so an address holds no quote or angle bracket of its own.
        return TimelineAddress().Replace(html, m => $"{m.Groups["prefix"].Value}<a href=\"{m.Groups["url"].Value}\">{m.Groups["url"].Value}</a>");
    }

    /// <summary>Rewrites the report at <paramref name="path"/> in place; returns how many addresses it linked.</summary>
    public static int LinkTimelinesIn(string path)
    {
        var html = File.ReadAllText(path);
        var linked = LinkTimelines(html);
        File.WriteAllText(path, linked);
        return TimelineAddress().Count(html);
    }

    [GeneratedRegex("(?<prefix>" + TimelineEvidence.MessagePrefix + ")(?<url>file://[^\\s<>\"]+)")]
    private static partial Regex TimelineAddress();
}
