using System.Diagnostics;

namespace ChainCore.Tests.Harness.Postgres;

/// <summary>Runs PostgreSQL's tools with a bounded wait; as root, as the postgres user (initdb refuses root).</summary>
internal static class ProcessRunner
{
    public static bool IsRoot => !OperatingSystem.IsWindows() && Environment.UserName == "root";

    public static ProcessStartInfo StartInfo(string file, IEnumerable<string> args, bool asPostgres)
    {
        var start = new ProcessStartInfo(asPostgres ? "runuser" : file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (asPostgres)
        {
            foreach (var a in new[] { "-u", "postgres", "--", file })
            {
                start.ArgumentList.Add(a);
            }
        }

        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        return start;
    }

    /// <summary>Runs to completion within <paramref name="timeout"/> (scaled); a failure's message has the tool's output.</summary>
    public static async Task<string> RunAsync(string file, IReadOnlyList<string> args, bool asPostgres, TimeSpan timeout, CancellationToken ct)
    {
        using var process = Process.Start(StartInfo(file, args, asPostgres)) ?? throw new InvalidOperationException($"Could not start {file}.");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        var limit = Timeouts.Scale(timeout);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(limit);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} did not finish within {limit.TotalSeconds:0.#} s.");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited with {process.ExitCode}: {await stderr}{await stdout}");
        }

        return await stdout;
    }

    /// <summary>Whether the process <paramref name="pid"/> runs and, when <paramref name="startedAt"/> is known, is the same process (not a reused id).</summary>
    public static bool IsAlive(int pid, DateTime? startedAt)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            if (process.HasExited)
            {
                return false;
            }

            if (startedAt is { } expected)
            {
                return Math.Abs((process.StartTime.ToUniversalTime() - expected).TotalSeconds) < 2;
            }

            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            // Alive but not ours to inspect: never touch what may belong to someone else.
            return true;
        }
    }

    public static DateTime? StartTimeOf(Process process)
    {
        try
        {
            return process.StartTime.ToUniversalTime();
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            return null;
        }
    }
}
