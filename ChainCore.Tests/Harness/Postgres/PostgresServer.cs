using System.Net.Sockets;
using Npgsql;

namespace ChainCore.Tests.Harness.Postgres;

/// <summary>
/// The PostgreSQL server the suite runs against: the one named by the runsettings parameter
/// <c>PostgresConnectionString</c> or the <c>CHAINCORE_TEST_PG</c> variable, or else a
/// <see cref="ThrowawayCluster"/> started from the machine's PostgreSQL binaries for this run.
/// Messages never show a password, and refused credentials fail at once (no retry).
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    public const string ParameterName = "PostgresConnectionString";
    public const string EnvironmentVariable = "CHAINCORE_TEST_PG";

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan ConfiguredServerTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ClusterTimeout = TimeSpan.FromSeconds(30);

    private PostgresServer(string connectionString, ThrowawayCluster? cluster)
    {
        ConnectionString = connectionString;
        Cluster = cluster;
    }

    /// <summary>A connection string to the server's maintenance database (with its password: never print it, see <see cref="DisplayName"/>).</summary>
    public string ConnectionString { get; }

    /// <summary>The connection string as it may be shown.</summary>
    public string DisplayName => ConnectionStrings.Redact(ConnectionString);

    public ThrowawayCluster? Cluster { get; }

    public bool IsThrowaway => Cluster is not null;

    public static async Task<PostgresServer> FindOrStartAsync(string? configured, CancellationToken ct)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            await WaitUntilAcceptingAsync(configured, ConfiguredServerTimeout, ct);
            return new PostgresServer(configured, null);
        }

        var binaries = FindBinaries() ?? throw new InvalidOperationException(
            "No PostgreSQL server for the database tests. Set CHAINCORE_TEST_PG (or the runsettings parameter "
            + "PostgresConnectionString) to a connection string, or install PostgreSQL's server binaries "
            + "(Debian: apt-get install postgresql; macOS: brew install postgresql or Postgres.app; Windows: the EDB installer) "
            + "or name their folder in PGBIN, or run scripts/test.sh, which installs them. Looked in: "
            + string.Join(Path.PathSeparator, PostgresDiscovery.Candidates(RealHost.Instance)));
        var cluster = await ThrowawayCluster.StartAsync(binaries, ct);
        var server = new PostgresServer(cluster.ConnectionString, cluster);
        try
        {
            await WaitUntilAcceptingAsync(server.ConnectionString, ClusterTimeout, ct);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>PostgreSQL's server binaries on this machine (see <see cref="PostgresDiscovery"/>).</summary>
    public static PostgresBinaries? FindBinaries() => PostgresDiscovery.Find(RealHost.Instance);

    public async ValueTask DisposeAsync()
    {
        if (Cluster is null)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        await Cluster.StopAsync();
    }

    /// <summary>
    /// Waits (scaled) until the server accepts a connection. Only a server that is not up yet is
    /// waited for; refused credentials, a missing database or a malformed string fail at once.
    /// </summary>
    public static async Task WaitUntilAcceptingAsync(string connectionString, TimeSpan timeout, CancellationToken ct)
    {
        var limit = Timeouts.Scale(timeout);
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync(ct);
                return;
            }
            catch (ArgumentException e)
            {
                throw new InvalidOperationException(
                    $"The PostgreSQL connection string '{ConnectionStrings.Redact(connectionString)}' is not valid: {ConnectionStrings.RedactIn(e.Message, connectionString)}");
            }
            catch (NpgsqlException e) when (IsTransient(e) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(PollInterval, ct);
            }
            catch (NpgsqlException e)
            {
                var reason = ConnectionStrings.RedactIn(e.Message, connectionString);
                var what = IsTransient(e)
                    ? $"did not accept connections within {limit.TotalSeconds:0.#} s"
                    : "refused the connection";
                throw new InvalidOperationException(
                    $"PostgreSQL at '{ConnectionStrings.Redact(connectionString)}' {what}: {reason}. "
                    + "Check CHAINCORE_TEST_PG or the runsettings parameter PostgresConnectionString.");
            }
        }
    }

    /// <summary>A server still starting or not reachable yet; not refused credentials or a missing database.</summary>
    internal static bool IsTransient(NpgsqlException e) => e switch
    {
        PostgresException pg => pg.SqlState is PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.TooManyConnections,
        _ => e.InnerException is SocketException or IOException or TimeoutException,
    };
}
