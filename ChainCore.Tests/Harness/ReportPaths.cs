namespace ChainCore.Tests.Harness;

/// <summary>Where the suite writes its reports: <c>tests/reports/</c> of the repository, or <c>CHAINCORE_TEST_REPORTS</c>.</summary>
public static class ReportPaths
{
    public const string EnvironmentVariable = "CHAINCORE_TEST_REPORTS";

    public static string Root =>
        Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } root ? Path.GetFullPath(root) : Path.Combine(RepositoryRoot, "tests", "reports");

    /// <summary>Evidence of failed tests, one folder per test.</summary>
    public static string Failures => Path.Combine(Root, "failures");

    public static string Performance => Path.Combine(Root, "performance");

    /// <summary>The folder holding ChainCore.sln above the test assembly (the assembly's folder if there is none).</summary>
    public static string RepositoryRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ChainCore.sln")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? AppContext.BaseDirectory;
        }
    }

    /// <summary>A folder name for a test: its full name with anything unsafe for a file system replaced, cut to a sane length.</summary>
    public static string FolderNameFor(string testFullName)
    {
        ArgumentNullException.ThrowIfNull(testFullName);
        var safe = new string([.. testFullName.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_')]);
        if (safe.Length <= 120)
        {
            return safe;
        }

        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(testFullName)))[..8];
        return safe[..111] + "_" + hash;
    }
}
