using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace ChainCore.Tests.Harness.Postgres;

/// <summary>
/// The PostgreSQL server the suite runs against: the one named by the runsettings parameter
/// <c>PostgresConnectionString</c> or the <c>CHAINCORE_TEST_PG</c> variable, or else a throwaway
/// cluster started from the machine's PostgreSQL binaries on a free port and removed afterwards.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    public const string ParameterName = "PostgresConnectionString";
    public const string EnvironmentVariable = "CHAINCORE_TEST_PG";

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    private readonly string? _clusterDir;
    private readonly string? _binDir;

    private PostgresServer(string connectionString, string? clusterDir, string? binDir)
    {
        ConnectionString = connectionString;
        _clusterDir = clusterDir;
        _binDir = binDir;
    }

    /// <summary>A connection string to the server's maintenance database.</summary>
    public string ConnectionString { get; }

    public bool IsThrowaway => _clusterDir is not null;

    public static async Task<PostgresServer> FindOrStartAsync(string? configured, CancellationToken ct)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            await WaitUntilAcceptingAsync(configured, TimeSpan.FromSeconds(10), ct);
            return new PostgresServer(configured, null, null);
        }

        var binDir = FindBinaries() ?? throw new InvalidOperationException(
            "No PostgreSQL server for the database tests. Set CHAINCORE_TEST_PG (or the runsettings parameter "
            + "PostgresConnectionString) to a connection string, or install PostgreSQL's server binaries "
            + "(Debian: apt-get install postgresql), or run scripts/test.sh, which installs them.");
        return await StartClusterAsync(binDir, ct);
    }

    /// <summary>The newest PostgreSQL bin directory holding initdb and pg_ctl: PATH first, then /usr/lib/postgresql/*/bin.</summary>
    public static string? FindBinaries()
    {
        var candidates = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).ToList();
        if (Directory.Exists("/usr/lib/postgresql"))
        {
            candidates.AddRange(Directory.GetDirectories("/usr/lib/postgresql")
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0)
                .Select(d => Path.Combine(d, "bin")));
        }

        return candidates.FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")));
    }

    private static async Task<PostgresServer> StartClusterAsync(string binDir, CancellationToken ct)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"chaincore-pg-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        var asRoot = Environment.UserName == "root";
        if (asRoot)
        {
            // initdb refuses to run as root: the cluster belongs to the postgres user.
            await RunAsync("chown", ["-R", "postgres:postgres", dir], asPostgres: false, ct);
        }

        var data = Path.Combine(dir, "data");
        var port = FreePort();
        await RunAsync(Path.Combine(binDir, "initdb"), ["-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"], asRoot, ct);
        await RunAsync(Path.Combine(binDir, "pg_ctl"),
            ["-D", data, "-l", Path.Combine(dir, "server.log"), "-w", "-t", "60",
             "-o", $"-p {port} -k {dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300",
             "start"],
            asRoot, ct);
        var connectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres";
        var server = new PostgresServer(connectionString, dir, binDir);
        try
        {
            await WaitUntilAcceptingAsync(connectionString, TimeSpan.FromSeconds(30), ct);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_clusterDir is null || _binDir is null)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        await RunAsync(Path.Combine(_binDir, "pg_ctl"), ["-D", Path.Combine(_clusterDir, "data"), "-m", "immediate", "-w", "stop"], Environment.UserName == "root", CancellationToken.None);
        Directory.Delete(_clusterDir, recursive: true);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task WaitUntilAcceptingAsync(string connectionString, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync(ct);
                return;
            }
            catch (NpgsqlException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(PollInterval, ct);
            }
            catch (NpgsqlException e)
            {
                throw new InvalidOperationException($"PostgreSQL at '{connectionString}' did not accept connections within {timeout.TotalSeconds} s: {e.Message}", e);
            }
        }
    }

    private static async Task RunAsync(string file, IReadOnlyList<string> args, bool asPostgres, CancellationToken ct)
    {
        var start = new ProcessStartInfo(asPostgres ? "runuser" : file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
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

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited with {process.ExitCode}: {await stderr}{await stdout}");
        }
    }
}
