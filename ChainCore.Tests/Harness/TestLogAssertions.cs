using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace ChainCore.Tests.Harness;

/// <summary>A line a test looks for in a log: a piece of text it contains, or a regular expression it matches.</summary>
public sealed class LogPattern
{
    private readonly string? _text;
    private readonly Regex? _regex;

    private LogPattern(string? text, Regex? regex) => (_text, _regex) = (text, regex);

    /// <summary>Lines containing <paramref name="text"/> (ordinal comparison).</summary>
    public static LogPattern Containing(string text) => new(text ?? throw new ArgumentNullException(nameof(text)), null);

    /// <summary>Lines <paramref name="regex"/> matches.</summary>
    public static LogPattern Matching(Regex regex) => new(null, regex ?? throw new ArgumentNullException(nameof(regex)));

    public static implicit operator LogPattern(string text) => Containing(text);

    public static implicit operator LogPattern(Regex regex) => Matching(regex);

    public static LogPattern FromString(string text) => Containing(text);

    public static LogPattern FromRegex(Regex regex) => Matching(regex);

    public bool IsMatch(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        return _regex?.IsMatch(line) ?? line.Contains(_text!, StringComparison.Ordinal);
    }

    public override string ToString() => _regex is not null ? $"/{_regex}/" : $"\"{_text}\"";
}

public sealed partial class TestLog
{
    /// <summary>How long expected lines are waited for after the action, before the run's timeout factor.</summary>
    public static readonly TimeSpan DefaultLogTimeout = TimeSpan.FromSeconds(5);

    // The lines a failure message shows at most (the last ones).
    private const int LinesShown = 200;

    /// <summary>
    /// Runs <paramref name="action"/> and checks the lines written into this log from its start: each
    /// of <paramref name="expected"/> must match one of them, waited for (bounded by
    /// <paramref name="timeout"/>, 5 s by default, scaled) after the action, and none may match
    /// <paramref name="unexpected"/>, as Bitcoin Core's <c>assert_debug_log</c>. Lines written before
    /// the action never count. A failure lists what was missing or unexpected and the lines seen.
    /// </summary>
    public async Task AssertLogAsync(
        Func<Task> action,
        IEnumerable<LogPattern> expected,
        IEnumerable<LogPattern>? unexpected = null,
        TimeSpan? timeout = null,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(action);
        await AssertLogAsync(
            async () =>
            {
                await action();
                return true;
            },
            expected,
            unexpected,
            timeout,
            ct);
    }

    /// <summary>As <see cref="AssertLogAsync(Func{Task}, IEnumerable{LogPattern}, IEnumerable{LogPattern}?, TimeSpan?, CancellationToken)"/>, returning what the action returns.</summary>
    public async Task<T> AssertLogAsync<T>(
        Func<Task<T>> action,
        IEnumerable<LogPattern> expected,
        IEnumerable<LogPattern>? unexpected = null,
        TimeSpan? timeout = null,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(action);
        ArgumentNullException.ThrowIfNull(expected);
        List<LogPattern> wanted = [.. expected];
        List<LogPattern> unwanted = [.. unexpected ?? []];
        var limit = Timeouts.Scale(timeout ?? DefaultLogTimeout);
        var mark = Written;
        var droppedBefore = Dropped;

        var result = await action();

        var clock = Stopwatch.StartNew();
        var poll = TimeSpan.FromMilliseconds(5);
        while (true)
        {
            var lines = LinesSince(mark);
            var found = unwanted.SelectMany(p => lines.Where(p.IsMatch).Select(l => (Pattern: p, Line: l))).ToList();
            var missing = wanted.Where(p => !lines.Any(p.IsMatch)).ToList();
            if (found.Count > 0 || (missing.Count > 0 && clock.Elapsed >= limit))
            {
                throw new AssertionException(Describe(missing, found, lines, limit, Dropped - droppedBefore));
            }

            if (missing.Count == 0)
            {
                return result;
            }

            await Task.Delay(poll, ct);
            poll = poll * 2 < TimeSpan.FromMilliseconds(100) ? poll * 2 : TimeSpan.FromMilliseconds(100);
        }
    }

    private static string Describe(List<LogPattern> missing, List<(LogPattern Pattern, string Line)> found, IReadOnlyList<string> lines, TimeSpan limit, long dropped)
    {
        var text = new StringBuilder("The log did not read as expected while the action ran.").AppendLine();
        if (missing.Count > 0)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"Expected, not written within {limit.TotalSeconds:0.###} s after the action:");
            foreach (var pattern in missing)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  {pattern}");
            }
        }

        if (found.Count > 0)
        {
            text.AppendLine("Not expected, written:");
            foreach (var (pattern, line) in found)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  {pattern} in: {line}");
            }
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"Lines written during the action ({lines.Count}{(dropped > 0 ? $", and {dropped} dropped from the full log" : string.Empty)}):");
        if (lines.Count > LinesShown)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  ({lines.Count - LinesShown} earlier lines not shown)");
        }

        foreach (var line in lines.Skip(Math.Max(0, lines.Count - LinesShown)))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {line}");
        }

        return text.ToString();
    }
}
