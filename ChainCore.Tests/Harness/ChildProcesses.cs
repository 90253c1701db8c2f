using System.Diagnostics;

namespace ChainCore.Tests.Harness;

/// <summary>Starts the test assembly as a program (<see cref="ChildProcessProgram"/>) or <c>dotnet</c> itself, for tests that need a second process.</summary>
public static class ChildProcesses
{
    /// <summary>The dotnet executable running this process (the SDK names it in DOTNET_HOST_PATH).</summary>
    public static string Dotnet =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host
        : Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path).Equals("dotnet", StringComparison.OrdinalIgnoreCase) ? path
        : "dotnet";

    public static string TestAssembly => typeof(ChildProcessProgram).Assembly.Location;

    /// <summary>Starts <c>dotnet ChainCore.Tests.dll <paramref name="args"/></c> with its output redirected.</summary>
    public static Process StartTestAssembly(IEnumerable<string> args, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo(Dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(TestAssembly);
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            start.Environment[key] = value;
        }

        return Process.Start(start) ?? throw new InvalidOperationException("Could not start the test assembly as a program.");
    }

    /// <summary>
    /// Runs <c>dotnet test</c> on this assembly in a child process, for the tests of what a run leaves
    /// behind (evidence, attachments): the tests <paramref name="filter"/> selects, results (<c>child.trx</c>
    /// and any <paramref name="loggers"/>) in <paramref name="resultsDirectory"/>, with <paramref name="environment"/>
    /// set. Bounded (three minutes, scaled); returns the exit code and the whole output.
    /// </summary>
    public static async Task<(int ExitCode, string Transcript)> RunTestsAsync(string filter, string resultsDirectory, IReadOnlyDictionary<string, string> environment, params string[] loggers)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var start = new ProcessStartInfo(Dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "test", TestAssembly, "--filter", filter, "--results-directory", resultsDirectory, "--logger", "trx;LogFileName=child.trx" }
                     .Concat(loggers.SelectMany(l => new[] { "--logger", l })))
        {
            start.ArgumentList.Add(a);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var child = Process.Start(start) ?? throw new InvalidOperationException("Could not start dotnet test.");
        var output = child.StandardOutput.ReadToEndAsync();
        var errors = child.StandardError.ReadToEndAsync();
        try
        {
            await child.WaitForExitAsync().WaitAsync(Timeouts.Scale(TimeSpan.FromMinutes(3)));
        }
        catch (TimeoutException)
        {
            // A hung child run (and its test host) must not outlive the test that started it.
            child.Kill(entireProcessTree: true);
            throw;
        }

        return (child.ExitCode, await output + await errors);
    }

    /// <summary>Runs the test assembly as a program to its end (bounded, scaled) and returns its standard output.</summary>
    public static async Task<string> RunTestAssemblyAsync(IEnumerable<string> args, IReadOnlyDictionary<string, string?>? environment = null, CancellationToken ct = default)
    {
        using var process = StartTestAssembly(args, environment);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(Timeouts.Scale(TimeSpan.FromSeconds(60)));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        process.ExitCode.ShouldBe(0, await stderr);
        return (await stdout).Trim();
    }
}
