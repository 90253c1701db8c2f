using NUnit.Framework.Internal;

namespace ChainCore.Tests.Harness.Timeline;

/// <summary>The failure timeline in a failed test's evidence folder, attached to the test and named in its result message.</summary>
public static class TimelineEvidence
{
    public const string FileName = "timeline.html";

    /// <summary>What the result message of a test with a timeline ends with, before the page's address.</summary>
    public const string MessagePrefix = "Timeline of the failure: ";

    /// <summary>Writes <paramref name="timeline"/> (with its log) as <see cref="FileName"/> into <paramref name="directory"/>; returns the page's path.</summary>
    public static async Task<string> WriteAsync(TimelineRecorder timeline, string directory, string title, Func<string, string>? redact = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(timeline);
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, FileName);
        await File.WriteAllTextAsync(path, TimelinePage.Render(timeline.Snapshot(), timeline.Log.NumberedLines, title, redact), ct);
        return path;
    }

    /// <summary>
    /// Appends the page's address to the current test's result message: the html test report shows a
    /// result's message and stack trace only, not its attachments (scripts/test.sh turns the address into a link).
    /// </summary>
    public static void NameInResultMessage(string path)
    {
        var result = TestExecutionContext.CurrentContext.CurrentResult;
        var link = MessagePrefix + new Uri(Path.GetFullPath(path)).AbsoluteUri;
        result.SetResult(result.ResultState, string.IsNullOrEmpty(result.Message) ? link : result.Message + Environment.NewLine + link, result.StackTrace);
    }
}
