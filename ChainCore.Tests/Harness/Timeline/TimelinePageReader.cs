using System.Net;
using System.Text.RegularExpressions;

namespace ChainCore.Tests.Harness.Timeline;

/// <summary>An element of a timeline page as its start tag gives it: name, attributes (decoded), and its <c>title</c> child if it has one.</summary>
public sealed record TimelineElement(string Name, IReadOnlyDictionary<string, string> Attributes, string? Title)
{
    public string? this[string attribute] => Attributes.GetValueOrDefault(attribute);

    public bool HasClass(string name) => this["class"]?.Split(' ').Contains(name) == true;
}

/// <summary>Reads a <see cref="TimelinePage"/> back for tests: its elements with their data attributes, without a browser.</summary>
public static partial class TimelinePageReader
{
    public static IReadOnlyList<TimelineElement> Elements(string html)
    {
        ArgumentNullException.ThrowIfNull(html);
        var body = html[..Math.Max(0, html.IndexOf("<script", StringComparison.Ordinal))];
        return [.. StartTag().Matches(body).Select(m => new TimelineElement(
            m.Groups["name"].Value,
            Attribute().Matches(m.Groups["attributes"].Value).ToDictionary(a => a.Groups["name"].Value, a => WebUtility.HtmlDecode(a.Groups["value"].Value), StringComparer.Ordinal),
            m.Groups["title"].Success ? WebUtility.HtmlDecode(m.Groups["title"].Value) : null))];
    }

    /// <summary>The page's elements of <paramref name="kind"/> (marks and bands), on <paramref name="lane"/> if given.</summary>
    public static IReadOnlyList<TimelineElement> OfKind(this IReadOnlyList<TimelineElement> elements, string kind, string? lane = null) =>
        [.. elements.Where(e => e["data-kind"] == kind && (lane is null || e["data-lane"] == lane))];

    /// <summary>The lanes drawn, in order.</summary>
    public static IReadOnlyList<string> Lanes(this IReadOnlyList<TimelineElement> elements) =>
        [.. elements.Where(e => e.Name == "g" && e.HasClass("lane")).Select(e => e["data-lane"]!)];

    [GeneratedRegex("""<(?<name>[a-z]+)\s(?<attributes>[^<>]*)>(?:<title>(?<title>[^<]*)</title>)?""")]
    private static partial Regex StartTag();

    [GeneratedRegex("(?<name>[a-z][a-z0-9-]*)=\"(?<value>[^\"]*)\"")]
    private static partial Regex Attribute();
}
