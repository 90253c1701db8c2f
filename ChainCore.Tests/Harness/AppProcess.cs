using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ChainCore.Tests.Harness;

/// <summary>
/// One of the apps (node, miner) running as its own process from the solution's build output, as a
/// user runs it. Its output is kept for failure messages; <see cref="StopAsync"/> asks it to stop
/// (SIGTERM, so it shuts down cleanly) and kills it if it does not; disposing always leaves nothing running.
/// A watchdog started with it stops it if the test host dies first (a killed run, a stopped Test
/// Explorer session), so no app outlives the run that started it.
/// </summary>
public sealed class AppProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];

    private AppProcess(string name, Process process)
    {
        Name = name;
        _process = process;
        Id = process.Id;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Name { get; }

    public bool HasExited => _process.HasExited;

    public int Id { get; }

    /// <summary>Whether a process with this one's id still runs (usable after disposal, to check that nothing was left behind).</summary>
    public bool IsAlive
    {
        get
        {
            try
            {
                using var process = Process.GetProcessById(Id);
                return !process.HasExited;
            }
            catch (ArgumentException)
            {
                return false;
            }
            catch (InvalidOperationException)
            {
                return false;
            }
        }
    }

    /// <summary>The lines it printed so far, standard output and error as they came.</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    public string Output => string.Join(Environment.NewLine, Lines);

    /// <summary>
    /// Starts <paramref name="project"/>'s built assembly (same configuration and framework as the
    /// tests) with <paramref name="args"/>, in <paramref name="workingDirectory"/> if given, with
    /// <paramref name="environment"/> changed (a null value removes the variable).
    /// </summary>
    public static AppProcess Start(string name, string project, IEnumerable<string> args, string? workingDirectory = null, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var start = StartInfo(project, args, workingDirectory, environment);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {name}.");
        StartWatchdog(process.Id);
        return new AppProcess(name, process);
    }

    // Polls the test host and the app once a second, outside the host's session (signals of the
    // terminal ignored), so a Ctrl-C or a process-tree kill of the host does not take it along. When
    // the host is gone and the app is not: SIGTERM, 10 s to stop cleanly, then SIGKILL. It ends with the app.
    private const string UnixWatchdog = """
        trap '' INT HUP TERM
        owner=$1; app=$2
        (
          trap '' INT HUP TERM
          alive() {
            kill -0 "$1" 2>/dev/null || return 1
            if [ -r "/proc/$1/stat" ]; then
              state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)
              [ "$state" != Z ] || return 1
            fi
            return 0
          }
          while alive "$owner" && alive "$app"; do sleep 1; done
          if alive "$app"; then
            kill -TERM "$app" 2>/dev/null
            waited=0
            while alive "$app" && [ "$waited" -lt 10 ]; do sleep 1; waited=$((waited + 1)); done
            kill -KILL "$app" 2>/dev/null
          fi
        ) </dev/null >/dev/null 2>&1 &
        """;

    private static void StartWatchdog(int app)
    {
        var owner = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var child = app.ToString(System.Globalization.CultureInfo.InvariantCulture);
        ProcessStartInfo start;
        if (OperatingSystem.IsWindows())
        {
            // As the Unix one: polls both, ends with the app. Both are held by handle, so a process
            // that takes either id later is never mistaken for them, and only the app is ever stopped.
            // Kill fails only when the app exited between the check and the kill: nothing left to do.
            start = new ProcessStartInfo("powershell.exe") { UseShellExecute = false, CreateNoWindow = true };
            var script = $"$owner = Get-Process -Id {owner} -ErrorAction SilentlyContinue; $app = Get-Process -Id {child} -ErrorAction SilentlyContinue; "
                + "if (-not $owner -or -not $app) { exit }; "
                + "while (-not $owner.HasExited -and -not $app.HasExited) { Start-Sleep -Seconds 1 }; "
                + "if (-not $app.HasExited) { try { $app.Kill() } catch { } }";
            foreach (var a in new[] { "-NoProfile", "-NonInteractive", "-Command", script })
            {
                start.ArgumentList.Add(a);
            }
        }
        else
        {
            start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, RedirectStandardInput = true };
            foreach (var a in new[] { "-c", UnixWatchdog, "app-watchdog", owner, child })
            {
                start.ArgumentList.Add(a);
            }
        }

        using var watchdog = Process.Start(start) ?? throw new InvalidOperationException("Could not start an app's watchdog.");
        if (!OperatingSystem.IsWindows())
        {
            // The shell only forks the watchdog and returns.
            watchdog.StandardInput.Close();
            watchdog.WaitForExit();
        }
    }

    /// <summary>How to run <paramref name="project"/>'s build output; for a run to its end, <see cref="RunAsync"/>.</summary>
    public static ProcessStartInfo StartInfo(string project, IEnumerable<string> args, string? workingDirectory = null, IReadOnlyDictionary<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        var start = new ProcessStartInfo(CanResetInterrupt.Value ? "env" : ChildProcesses.Dotnet) { UseShellExecute = false };
        if (CanResetInterrupt.Value)
        {
            start.ArgumentList.Add("--default-signal=INT");
            start.ArgumentList.Add(ChildProcesses.Dotnet);
        }

        if (workingDirectory is not null)
        {
            start.WorkingDirectory = workingDirectory;
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(key);
            }
            else
            {
                start.Environment[key] = value;
            }
        }

        start.ArgumentList.Add(ProjectOutput(project));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return start;
    }

    // A run started in the background (bash's `&` without job control, as CI and nohup'd scripts
    // start it) hands SIGINT down ignored, and .NET, like every Unix program, keeps a signal it
    // inherited ignored: Ctrl-C (StopAsync with interrupt) would never reach the app. A terminal's
    // foreground job has SIGINT's default disposition; GNU env restores it and then execs the app
    // (same process id), so an app starts as a user's does however the test run was started.
    private static readonly Lazy<bool> CanResetInterrupt = new(() =>
    {
        if (OperatingSystem.IsWindows())
        {
            return false;
        }

        try
        {
            using var env = Process.Start(new ProcessStartInfo("env") { ArgumentList = { "--default-signal=INT", "true" }, UseShellExecute = false, RedirectStandardError = true });
            if (env is null)
            {
                return false;
            }

            env.StandardError.ReadToEnd();
            env.WaitForExit();
            return env.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    });

    /// <summary>
    /// What <see cref="StopAsync"/> returns for an app that stopped as asked: 0 where it can be asked
    /// (a signal, and it shuts down cleanly); -1 on Windows, where there is no signal to ask with and it is killed.
    /// </summary>
    public static int StoppedExitCode => OperatingSystem.IsWindows() ? -1 : 0;

    /// <summary>Runs <paramref name="project"/> to its end (60 s at most, scaled; then it is killed) and returns its exit code and outputs.</summary>
    public static async Task<(int ExitCode, string Out, string Error)> RunAsync(string project, IEnumerable<string> args, string? workingDirectory = null, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var start = StartInfo(project, args, workingDirectory, environment);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {project}.");
        StartWatchdog(process.Id);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Timeouts.Scale(TimeSpan.FromSeconds(60)));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{project} did not exit: {string.Join(' ', args)}");
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>An app's build output next to this test assembly's: same configuration, same framework.</summary>
    public static string ProjectOutput(string project)
    {
        var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var assembly = Path.Combine(ReportPaths.RepositoryRoot, project, "bin", testBin.Parent!.Name, testBin.Name, project + ".dll");
        File.Exists(assembly).ShouldBeTrue($"{assembly} is missing: build the solution first (dotnet build ChainCore.sln).");
        return assembly;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// Asks the process to stop as a service manager (SIGTERM, the default) or Ctrl-C (<paramref name="interrupt"/>: SIGINT)
    /// would; returns its exit code (killed after the scaled grace period: -1).
    /// </summary>
    public async Task<int> StopAsync(TimeSpan? grace = null, bool interrupt = false)
    {
        if (_process.HasExited)
        {
            return _process.ExitCode;
        }

        if (!OperatingSystem.IsWindows())
        {
            using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { interrupt ? "-INT" : "-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) }, UseShellExecute = false });
            if (kill is not null)
            {
                await kill.WaitForExitAsync();
            }

            using var timeout = new CancellationTokenSource(Timeouts.Scale(grace ?? TimeSpan.FromSeconds(15)));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
                return _process.ExitCode;
            }
            catch (OperationCanceledException)
            {
            }
        }

        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        return -1;
    }

    /// <summary>Kills the process and its children at once (SIGKILL, or TerminateProcess on Windows): no shutdown code runs.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        finally
        {
            _process.Dispose();
        }
    }

    public override string ToString() => $"{Name} (pid {Id.ToString(System.Globalization.CultureInfo.InvariantCulture)}):{Environment.NewLine}{Output}";

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lines)
        {
            _lines.Add(line);
        }
    }
}
