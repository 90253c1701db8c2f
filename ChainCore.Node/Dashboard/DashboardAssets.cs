using System.Collections.Frozen;
using System.Security.Cryptography;

namespace ChainCore.Node.Dashboard;

/// <summary>
/// The page's files, embedded in the node's assembly so that <c>dotnet run</c>, a published node and
/// the tests serve the same bytes whatever the working directory, with no network access.
/// </summary>
public static class DashboardAssets
{
    public const string ResourcePrefix = "dashboard/";
    public const string IndexName = "index.html";

    /// <summary>Every file, by name, read once.</summary>
    public static FrozenDictionary<string, Asset> All { get; } = Load();

    /// <summary>One file: its bytes, media type and a strong entity tag (a hash of the bytes).</summary>
    public sealed record Asset(string Name, byte[] Content, string ContentType, string ETag);

    private static FrozenDictionary<string, Asset> Load()
    {
        var assembly = typeof(DashboardAssets).Assembly;
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var content = copy.ToArray();
            var name = resource[ResourcePrefix.Length..];
            var etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(content).AsSpan(0, 12)) + "\"";
            assets[name] = new Asset(name, content, ContentTypeOf(name), etag);
        }

        return assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static string ContentTypeOf(string name) => Path.GetExtension(name) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        _ => "application/octet-stream",
    };
}
