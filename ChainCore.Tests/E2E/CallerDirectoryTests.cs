using System.Diagnostics;
using ChainCore.Tests.Harness;

namespace ChainCore.Tests.E2E;

/// <summary>
/// A relative path on any app's command line means the directory the user runs it from, whether
/// the app is started with <c>dotnet run --project …</c> from another folder or through
/// <c>scripts/devnet.sh</c>: the README's <c>--wallet alice.json</c> finds the file the user just made.
/// </summary>
[TestFixture, Category("E2E")]
public sealed class CallerDirectoryTests
{
    private string _directory = null!;

    [SetUp]
    public void CreateDirectory()
    {
        _directory = Path.Combine(TestEnvironment.ScratchDirectory, "caller-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
    }

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_directory, recursive: true);

    private static string Configuration => new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    [TestCase("ChainCore.Node")]
    [TestCase("ChainCore.Miner")]
    [TestCase("ChainCore.Wallet")]
    public async Task Dotnet_run_starts_the_app_in_the_callers_directory(string project)
    {
        var run = await RunDotnetAsync(["msbuild", ProjectFile(project), "-getProperty:RunWorkingDirectory", $"-p:Configuration={Configuration}"]);

        run.ExitCode.ShouldBe(0, run.ToString());
        Path.GetFullPath(run.Out.Trim()).TrimEnd(Path.DirectorySeparatorChar).ShouldBe(Path.GetFullPath(_directory), run.ToString());
    }

    [Test]
    public async Task A_wallet_made_with_dotnet_run_is_found_by_the_miner_run_the_same_way()
    {
        var created = await RunDotnetAsync(["run", "--no-build", "-c", Configuration, "--project", ProjectFile("ChainCore.Wallet"), "--", "create", "--wallet", "alice.json"]);
        created.ExitCode.ShouldBe(0, created.ToString());
        File.Exists(Path.Combine(_directory, "alice.json")).ShouldBeTrue(created.ToString());

        var closed = $"http://127.0.0.1:{AppProcess.FreePort()}";
        var miner = await RunDotnetAsync(["run", "--no-build", "-c", Configuration, "--project", ProjectFile("ChainCore.Miner"), "--", "--wallet", "alice.json", "--node", closed]);

        // Past the wallet file: the next check, the node, is what stops it.
        miner.ExitCode.ShouldBe(2, miner.ToString());
        miner.Error.ShouldNotContain("wallet", Case.Insensitive, miner.ToString());
        miner.Error.ShouldContain($"node {closed}", Case.Sensitive, miner.ToString());
    }

    [Test, Platform("Linux,MacOsX")]
    public async Task Devnet_script_resolves_a_relative_wallet_against_the_callers_directory_before_building()
    {
        var script = Path.Combine(ReportPaths.RepositoryRoot, "scripts", "devnet.sh");

        var run = await RunAsync("bash", [script, "--wallet", "missing.json"]);

        run.ExitCode.ShouldBe(2, run.ToString());
        run.Error.Trim().ShouldBe($"--wallet: file not found: {Path.Combine(_directory, "missing.json")}", run.ToString());
        run.Out.ShouldNotContain("building", Case.Sensitive, "a missing wallet is refused before anything is built");
    }

    private static string ProjectFile(string project) => Path.Combine(ReportPaths.RepositoryRoot, project, project + ".csproj");

    private Task<CliRun> RunDotnetAsync(IEnumerable<string> args) => RunAsync(ChildProcesses.Dotnet, args);

    private async Task<CliRun> RunAsync(string file, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = _directory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // dotnet test points MSBuild at its own copy; a nested dotnet run or msbuild must find the SDK's as a user's does.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(key);
        }

        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Timeouts.Scale(TimeSpan.FromSeconds(120)));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', start.ArgumentList)} did not exit");
        }

        return new CliRun(process.ExitCode, await stdout, await stderr);
    }
}
