using System.Text.RegularExpressions;
using ChainCore.Tests.Harness;

namespace ChainCore.Tests.Unit.Harness;

/// <summary>What the workflows and the README call exists, runs in any checkout (LF, a shebang, executable), and CI runs what a developer runs.</summary>
[TestFixture, Category("Unit")]
public sealed partial class RepositoryScriptsTests
{
    private static string Root => ReportPaths.RepositoryRoot;

    private static IEnumerable<string> Callers() =>
        Directory.GetFiles(Path.Combine(Root, ".github", "workflows"), "*.yml").Append(Path.Combine(Root, "README.md")).Append(Path.Combine(Root, ".ci", "run"));

    [Test]
    public void Every_script_the_workflows_and_the_readme_call_exists_and_runs_in_any_checkout()
    {
        var called = Callers()
            .SelectMany(file => ScriptReference().Matches(File.ReadAllText(file)).Select(m => (Caller: Path.GetFileName(file), Script: m.Value)))
            .ToList();

        called.ShouldContain(c => c.Script == ".ci/run");
        called.ShouldContain(c => c.Script == "scripts/test.sh");
        foreach (var (caller, script) in called.DistinctBy(c => c.Script))
        {
            var path = Path.Combine(Root, script);
            File.Exists(path).ShouldBeTrue($"{caller} calls {script}, which does not exist");
            CheckRunnable(path);
        }
    }

    [Test]
    public void Every_shell_script_has_lf_endings_a_shebang_and_the_execute_bit()
    {
        var scripts = Directory.GetFiles(Path.Combine(Root, "scripts"), "*.sh").Append(Path.Combine(Root, ".ci", "run")).ToList();

        scripts.Count.ShouldBeGreaterThan(2);
        foreach (var script in scripts)
        {
            CheckRunnable(script);
        }
    }

    [Test]
    public void Ci_runs_the_developers_command_and_pins_the_sdk()
    {
        var ci = File.ReadAllText(Path.Combine(Root, ".github", "workflows", "ci.yml"));
        var nightly = File.ReadAllText(Path.Combine(Root, ".github", "workflows", "nightly.yml"));

        ci.ShouldContain("run: .ci/run");
        ci.ShouldContain("windows-latest");
        ci.ShouldContain("branches: [main]", customMessage: "pushes to other branches are tested as pull requests, not twice");
        nightly.ShouldContain("run: scripts/test.sh --all");
        File.ReadAllText(Path.Combine(Root, ".ci", "run")).ShouldContain("scripts/test.sh");
        File.ReadAllText(Path.Combine(Root, "global.json")).ShouldContain("\"rollForward\": \"latestFeature\"");
        File.ReadAllText(Path.Combine(Root, ".gitattributes")).ShouldContain("*.sh text eol=lf");
    }

    private static void CheckRunnable(string path)
    {
        var text = File.ReadAllText(path);
        text.ShouldStartWith("#!", customMessage: $"{path} has no shebang line");
        text.ShouldNotContain('\r', $"{path} has CRLF line endings");
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(path).HasFlag(UnixFileMode.UserExecute).ShouldBeTrue($"{path} is not executable");
        }
    }

    [GeneratedRegex(@"(?<![\w/.-])(?:\.ci/run|scripts/[\w.-]+\.sh)")]
    private static partial Regex ScriptReference();
}
