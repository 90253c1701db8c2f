using System.Globalization;

namespace ChainCore.Tests.Harness.Postgres;

public enum HostOs
{
    Linux,
    MacOs,
    Windows,
}

/// <summary>What discovery may look at: environment variables, files and folders. The real machine, or a fake layout in tests.</summary>
public interface IHostView
{
    HostOs Os { get; }

    string? Variable(string name);

    bool FileExists(string path);

    /// <summary>Full paths of the folders directly under <paramref name="path"/>; none when it does not exist.</summary>
    IEnumerable<string> Directories(string path);
}

/// <summary>A PostgreSQL bin folder with its initdb and pg_ctl.</summary>
public sealed record PostgresBinaries(string BinDir, string Initdb, string PgCtl);

/// <summary>
/// Finds PostgreSQL's server binaries on Linux, macOS and Windows: <c>PGBIN</c>, then <c>PATH</c>,
/// then each system's usual install folders, newest version first. A pure function of an
/// <see cref="IHostView"/>.
/// </summary>
public static class PostgresDiscovery
{
    public const string BinVariable = "PGBIN";

    public static PostgresBinaries? Find(IHostView host) =>
        Candidates(host).Select(dir => At(host, dir)).FirstOrDefault(b => b is not null);

    /// <summary>Every folder looked at, in order (for the message when none holds the binaries).</summary>
    public static IReadOnlyList<string> Candidates(IHostView host)
    {
        ArgumentNullException.ThrowIfNull(host);
        var windows = host.Os == HostOs.Windows;
        var candidates = new List<string>();
        if (host.Variable(BinVariable) is { Length: > 0 } pgbin)
        {
            candidates.Add(pgbin);
        }

        var path = host.Variable("PATH") ?? host.Variable("Path") ?? string.Empty;
        candidates.AddRange(path.Split(windows ? ';' : ':', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(d => d.Trim('"')));

        switch (host.Os)
        {
            case HostOs.Linux:
                candidates.AddRange(Versioned(host, "/usr/lib/postgresql", "/", "bin"));
                candidates.AddRange(NewestFirst(host.Directories("/usr").Where(d => Name(d, '/').StartsWith("pgsql-", StringComparison.Ordinal))).Select(d => d + "/bin"));
                candidates.Add("/usr/local/pgsql/bin");
                break;
            case HostOs.MacOs:
                foreach (var prefix in new[] { "/opt/homebrew/opt", "/usr/local/opt" })
                {
                    candidates.AddRange(NewestFirst(host.Directories(prefix).Where(d => Name(d, '/').StartsWith("postgresql@", StringComparison.Ordinal))).Select(d => d + "/bin"));
                    candidates.Add(prefix + "/postgresql/bin");
                }

                candidates.AddRange(Versioned(host, "/Applications/Postgres.app/Contents/Versions", "/", "bin"));
                candidates.Add("/usr/local/pgsql/bin");
                break;
            case HostOs.Windows:
                var programFiles = new[] { host.Variable("ProgramFiles"), host.Variable("ProgramW6432"), host.Variable("ProgramFiles(x86)"), @"C:\Program Files" }
                    .Where(p => !string.IsNullOrEmpty(p)).Select(p => p!.TrimEnd('\\')).Distinct(StringComparer.OrdinalIgnoreCase);
                foreach (var root in programFiles)
                {
                    candidates.AddRange(Versioned(host, root + @"\PostgreSQL", @"\", "bin"));
                }

                break;
        }

        return [.. candidates.Distinct(windows ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal)];
    }

    private static PostgresBinaries? At(IHostView host, string dir)
    {
        var windows = host.Os == HostOs.Windows;
        var separator = windows ? @"\" : "/";
        var suffix = windows ? ".exe" : string.Empty;
        var trimmed = dir.Length > 1 ? dir.TrimEnd(separator[0]) : dir;
        var initdb = trimmed + separator + "initdb" + suffix;
        var pgCtl = trimmed + separator + "pg_ctl" + suffix;
        return host.FileExists(initdb) && host.FileExists(pgCtl) ? new PostgresBinaries(trimmed, initdb, pgCtl) : null;
    }

    private static IEnumerable<string> Versioned(IHostView host, string parent, string separator, string bin) =>
        NewestFirst(host.Directories(parent)).Select(d => d + separator + bin);

    /// <summary>Folders named with a version (15, 16.4, postgresql@17, latest) ordered newest first; names without one come last.</summary>
    private static IEnumerable<string> NewestFirst(IEnumerable<string> dirs) =>
        dirs.OrderByDescending(d => VersionOf(Name(d, '/', '\\'))).ThenBy(d => d, StringComparer.Ordinal);

    internal static Version VersionOf(string name)
    {
        var digits = new string(name.SkipWhile(c => !char.IsAsciiDigit(c)).TakeWhile(c => char.IsAsciiDigit(c) || c == '.').ToArray()).Trim('.');
        var parts = digits.Split('.', StringSplitOptions.RemoveEmptyEntries).Take(3)
            .Select(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : 0).ToList();
        while (parts.Count < 2)
        {
            parts.Add(0);
        }

        return parts.Count == 2 ? new Version(parts[0], parts[1]) : new Version(parts[0], parts[1], parts[2]);
    }

    private static string Name(string path, params char[] separators)
    {
        var trimmed = path.TrimEnd(separators);
        var i = trimmed.LastIndexOfAny(separators);
        return i < 0 ? trimmed : trimmed[(i + 1)..];
    }
}

/// <summary>The machine the tests run on.</summary>
public sealed class RealHost : IHostView
{
    public static RealHost Instance { get; } = new();

    public HostOs Os =>
        OperatingSystem.IsWindows() ? HostOs.Windows : OperatingSystem.IsMacOS() ? HostOs.MacOs : HostOs.Linux;

    public string? Variable(string name) => Environment.GetEnvironmentVariable(name);

    public bool FileExists(string path) => File.Exists(path);

    public IEnumerable<string> Directories(string path)
    {
        try
        {
            return Directory.Exists(path) ? Directory.GetDirectories(path) : [];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
