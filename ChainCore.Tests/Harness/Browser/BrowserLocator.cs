namespace ChainCore.Tests.Harness.Browser;

/// <summary>
/// Finds a Chromium-family browser on this machine: <c>CHAINCORE_CHROMIUM</c>, then the usual names
/// on PATH, then the usual install locations. The suite never downloads one: <c>scripts/chromium.sh</c>
/// installs Debian's <c>chromium</c> package when none is found.
/// </summary>
public static class BrowserLocator
{
    public const string EnvironmentVariable = "CHAINCORE_CHROMIUM";

    public const string HowToInstall =
        "No Chromium-family browser found. Run scripts/chromium.sh (it installs Debian's chromium package), " +
        "or install Chromium or Chrome yourself (Debian/Ubuntu: sudo apt-get install chromium; macOS: brew install --cask chromium), " +
        $"or name the executable in {EnvironmentVariable}.";

    private static readonly string[] Names = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome"];

    private static readonly string[] Locations =
    [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/snap/bin/chromium",
        "/usr/bin/google-chrome",
        "/Applications/Chromium.app/Contents/MacOS/Chromium",
        "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
        @"C:\Program Files\Google\Chrome\Application\chrome.exe",
        @"C:\Program Files (x86)\Google\Chrome\Application\chrome.exe",
    ];

    /// <summary>The browser's executable, or null when there is none.</summary>
    public static string? Find() => Find(Environment.GetEnvironmentVariable(EnvironmentVariable), Environment.GetEnvironmentVariable("PATH"));

    public static string? Find(string? configured, string? path)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return File.Exists(configured) ? Path.GetFullPath(configured) : null;
        }

        var onPath = (path ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .SelectMany(dir => Names.Select(name => Path.Combine(dir, OperatingSystem.IsWindows() ? name + ".exe" : name)));
        return onPath.Concat(Locations).FirstOrDefault(File.Exists);
    }
}
