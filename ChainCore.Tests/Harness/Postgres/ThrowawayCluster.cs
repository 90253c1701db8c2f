using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace ChainCore.Tests.Harness.Postgres;

/// <summary>
/// A PostgreSQL cluster for one test run, in a short folder (<c>/tmp/ccpg-…</c>: the socket path
/// stays far below PostgreSQL's 103-byte limit, also on macOS) that records the process owning it.
/// A watchdog started with the cluster stops it and removes the folder as soon as that process is
/// gone, however it ended (Ctrl-C, a stopped Test Explorer run, a crash, kill -9); clusters whose
/// owner is gone are also removed when the next one starts. A cluster whose owner lives is never touched.
/// </summary>
public sealed class ThrowawayCluster
{
    public const string FolderPrefix = "ccpg-";
    public const string OwnerFile = "owner";
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan UnownedGrace = TimeSpan.FromMinutes(2);

    private ThrowawayCluster(PostgresBinaries binaries, string directory, int port, string password, int? watchdogPid)
    {
        Binaries = binaries;
        Directory = directory;
        Port = port;
        Password = password;
        WatchdogPid = watchdogPid;
    }

    public PostgresBinaries Binaries { get; }

    public string Directory { get; }

    public string DataDirectory => Path.Combine(Directory, "data");

    public int Port { get; }

    internal string Password { get; }

    public int? WatchdogPid { get; }

    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Password={Password};Database=postgres";

    /// <summary>Where clusters live: <c>/tmp</c> on Unix (not <c>$TMPDIR</c>, too long on macOS), the temp folder on Windows.</summary>
    public static string BaseDirectory => OperatingSystem.IsWindows() ? Path.GetTempPath() : "/tmp";

    public static async Task<ThrowawayCluster> StartAsync(PostgresBinaries binaries, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(binaries);
        await RemoveStaleAsync(binaries, BaseDirectory, ct);

        var dir = Path.Combine(BaseDirectory, FolderPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)));
        System.IO.Directory.CreateDirectory(dir);
        using (var self = Process.GetCurrentProcess())
        {
            WriteOwner(dir, Environment.ProcessId, ProcessRunner.StartTimeOf(self));
        }

        var watchdog = StartWatchdog(binaries, dir);
        var asPostgres = ProcessRunner.IsRoot;
        try
        {
            if (asPostgres)
            {
                await ProcessRunner.RunAsync("chown", ["-R", "postgres:postgres", dir], asPostgres: false, StepTimeout, ct);
            }

            var password = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            var pwfile = Path.Combine(dir, "pwfile");
            await File.WriteAllTextAsync(pwfile, password + "\n", ct);
            if (asPostgres)
            {
                await ProcessRunner.RunAsync("chown", ["postgres:postgres", pwfile], asPostgres: false, StepTimeout, ct);
            }

            var data = Path.Combine(dir, "data");
            await ProcessRunner.RunAsync(binaries.Initdb,
                ["-D", data, "-U", "postgres", "-E", "UTF8", "--no-sync", "--auth-host=scram-sha-256", "--auth-local=trust", "--pwfile=" + pwfile],
                asPostgres, StepTimeout, ct);
            File.Delete(pwfile);

            for (var attempt = 1; ; attempt++)
            {
                var port = FreePort();
                var options = $"-p {port} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=1000";
                if (!OperatingSystem.IsWindows())
                {
                    options += $" -k {dir}";
                }

                try
                {
                    await ProcessRunner.RunAsync(binaries.PgCtl,
                        ["-D", data, "-l", Path.Combine(dir, "server.log"), "-w", "-t", ((int)Timeouts.Scale(TimeSpan.FromSeconds(60)).TotalSeconds).ToString(CultureInfo.InvariantCulture), "-o", options, "start"],
                        asPostgres, StepTimeout, ct);
                    return new ThrowawayCluster(binaries, dir, port, password, watchdog);
                }
                catch (InvalidOperationException) when (attempt < 3 && PortWasTaken(dir))
                {
                    // Another run took the free port between the probe and the start: try another.
                }
            }
        }
        catch
        {
            await StopAndRemoveAsync(binaries, dir, CancellationToken.None);
            throw;
        }
    }

    public Task StopAsync() => StopAndRemoveAsync(Binaries, Directory, CancellationToken.None);

    /// <summary>Stops and removes every cluster under <paramref name="baseDirectory"/> whose owner process is gone; returns their folders.</summary>
    public static async Task<IReadOnlyList<string>> RemoveStaleAsync(PostgresBinaries binaries, string baseDirectory, CancellationToken ct)
    {
        var removed = new List<string>();
        IEnumerable<string> dirs;
        try
        {
            dirs = System.IO.Directory.GetDirectories(baseDirectory, FolderPrefix + "*");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return removed;
        }

        foreach (var dir in dirs)
        {
            if (!IsStale(dir))
            {
                continue;
            }

            try
            {
                await StopAndRemoveAsync(binaries, dir, ct);
                removed.Add(dir);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                TestContext.Progress.WriteLine($"postgres: could not remove the stale cluster {dir}: {e.Message}");
            }
        }

        return removed;
    }

    /// <summary>Whether the cluster folder's owner process is gone (a folder without owner counts once it is old enough not to be starting).</summary>
    public static bool IsStale(string dir)
    {
        var owner = ReadOwner(dir);
        if (owner is null)
        {
            try
            {
                return DateTime.UtcNow - System.IO.Directory.GetCreationTimeUtc(dir) > UnownedGrace;
            }
            catch (IOException)
            {
                return false;
            }
        }

        return !ProcessRunner.IsAlive(owner.Value.Pid, owner.Value.StartedAt);
    }

    internal static void WriteOwner(string dir, int pid, DateTime? startedAt)
    {
        var start = startedAt is { } s ? new DateTimeOffset(s, TimeSpan.Zero).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) : string.Empty;
        File.WriteAllText(Path.Combine(dir, OwnerFile), $"pid={pid.ToString(CultureInfo.InvariantCulture)}\nstart={start}\nhost={Environment.MachineName}\n");
    }

    internal static (int Pid, DateTime? StartedAt)? ReadOwner(string dir)
    {
        try
        {
            var lines = File.ReadAllLines(Path.Combine(dir, OwnerFile))
                .Select(l => l.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
            if (!lines.TryGetValue("pid", out var pidText) || !int.TryParse(pidText, NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                return null;
            }

            DateTime? started = lines.TryGetValue("start", out var s) && long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
                ? DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime
                : null;
            return (pid, started);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static async Task StopAndRemoveAsync(PostgresBinaries binaries, string dir, CancellationToken ct)
    {
        var data = Path.Combine(dir, "data");
        if (File.Exists(Path.Combine(data, "postmaster.pid")))
        {
            try
            {
                await ProcessRunner.RunAsync(binaries.PgCtl, ["-D", data, "-m", "immediate", "-w", "stop"], ProcessRunner.IsRoot, TimeSpan.FromSeconds(60), ct);
            }
            catch (InvalidOperationException) when (!File.Exists(Path.Combine(data, "postmaster.pid")))
            {
                // Already stopped.
            }
        }

        // A stopping server may hold its files a moment longer (Windows): a few bounded tries.
        for (var attempt = 1; System.IO.Directory.Exists(dir); attempt++)
        {
            try
            {
                System.IO.Directory.Delete(dir, recursive: true);
            }
            catch (IOException) when (attempt < 10)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt), ct);
            }
        }
    }

    private static bool PortWasTaken(string dir)
    {
        try
        {
            var log = File.ReadAllText(Path.Combine(dir, "server.log"));
            return log.Contains("could not bind", StringComparison.OrdinalIgnoreCase) || log.Contains("already in use", StringComparison.OrdinalIgnoreCase);
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    // The watchdog polls the owner once a second; it leaves the session of the test host (double fork,
    // signals of the terminal ignored) so that a Ctrl-C or a process-tree kill of the host does not take
    // it along, and it ends by itself when the folder is gone (the cluster was stopped normally).
    private const string UnixWatchdog = """
        trap '' INT HUP TERM
        owner=$1; dir=$2; shift 2
        (
          trap '' INT HUP TERM
          alive() {
            kill -0 "$owner" 2>/dev/null || return 1
            if [ -r "/proc/$owner/stat" ]; then
              state=$(sed 's/.*) //' "/proc/$owner/stat" 2>/dev/null | cut -c1)
              [ "$state" != Z ] || return 1
            fi
            return 0
          }
          while alive && [ -d "$dir" ]; do sleep 1; done
          if [ -d "$dir" ]; then
            if [ -f "$dir/data/postmaster.pid" ]; then
              "$@" || kill -QUIT "$(head -n 1 "$dir/data/postmaster.pid")"
            fi
            rm -rf "$dir"
          fi
        ) </dev/null >/dev/null 2>&1 &
        echo $!
        """;

    private static int? StartWatchdog(PostgresBinaries binaries, string dir)
    {
        ProcessStartInfo start;
        if (OperatingSystem.IsWindows())
        {
            static string Quote(string s) => "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'";
            var script = $"try {{ Wait-Process -Id {Environment.ProcessId} -ErrorAction Stop }} catch {{ }}; "
                + $"if (Test-Path {Quote(dir)}) {{ & {Quote(binaries.PgCtl)} -D {Quote(Path.Combine(dir, "data"))} -m immediate -w stop *> $null; Remove-Item -Recurse -Force {Quote(dir)} }}";
            start = new ProcessStartInfo("powershell.exe") { UseShellExecute = false, CreateNoWindow = true };
            foreach (var a in new[] { "-NoProfile", "-NonInteractive", "-Command", script })
            {
                start.ArgumentList.Add(a);
            }

            using var ps = Process.Start(start);
            return ps?.Id;
        }

        start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardInput = true };
        var stop = ProcessRunner.StartInfo(binaries.PgCtl, ["-D", Path.Combine(dir, "data"), "-m", "immediate", "-w", "stop"], ProcessRunner.IsRoot);
        foreach (var a in new[] { "-c", UnixWatchdog, "ccpg-watchdog", Environment.ProcessId.ToString(CultureInfo.InvariantCulture), dir, stop.FileName })
        {
            start.ArgumentList.Add(a);
        }

        foreach (var a in stop.ArgumentList)
        {
            start.ArgumentList.Add(a);
        }

        using var sh = Process.Start(start) ?? throw new InvalidOperationException("Could not start the cluster's watchdog (/bin/sh).");
        sh.StandardInput.Close();
        var pidLine = sh.StandardOutput.ReadLine();
        sh.WaitForExit();
        return int.TryParse(pidLine, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
    }
}
