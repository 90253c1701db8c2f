using System.Collections.Concurrent;
using System.Security.Cryptography;
using ChainCore.Tests.Harness.Postgres;

namespace ChainCore.Tests.Harness;

/// <summary>
/// Process-wide test resources: the PostgreSQL server (found or started on first use, so a run of
/// pure unit tests starts nothing) and this run's databases. It is the suite's one piece of static
/// state, owned by <see cref="AssemblySetup"/>, which drops the databases (unless asked to keep
/// them) and stops a throwaway cluster when the run ends.
/// </summary>
public static class TestEnvironment
{
    public const string KeepDatabasesVariable = "CHAINCORE_KEEP_DATABASES";
    public const string KeepDatabasesParameter = "KeepDatabases";

    private static readonly ConcurrentDictionary<string, Lazy<Task<TestDatabase>>> Databases = new();
    private static readonly Lazy<Task<PostgresServer>> Server = new(StartServerAsync);

    /// <summary>This run's id, part of every database name it creates: two runs never share one.</summary>
    public static string RunId { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));

    /// <summary>This run's folder for node data (SQLite files): test ids repeat across runs, the run id does not. Removed when the run ends.</summary>
    public static string ScratchDirectory => Path.Combine(Path.GetTempPath(), "chaincore-tests", RunId);

    /// <summary>The run's timeout factor (see <see cref="Timeouts"/>).</summary>
    public static double TimeoutFactor => Timeouts.Factor;

    /// <summary>A timeout scaled by the run's timeout factor.</summary>
    public static TimeSpan Scaled(TimeSpan timeout) => Timeouts.Scale(timeout);

    /// <summary>Whether the run's databases on a server of one's own stay after the run (to inspect them).</summary>
    public static bool KeepDatabases =>
        IsYes(Environment.GetEnvironmentVariable(KeepDatabasesVariable)) || IsYes(TestContext.Parameters.Get(KeepDatabasesParameter));

    /// <summary>The server; a test that needs one and cannot get it fails with instructions.</summary>
    public static async Task<PostgresServer> GetServerAsync()
    {
        try
        {
            return await Server.Value;
        }
        catch (InvalidOperationException e)
        {
            Assert.Fail(e.Message);
            throw;
        }
    }

    /// <summary>This run's database <paramref name="logicalName"/> (<c>cc_test_&lt;run&gt;_&lt;name&gt;</c>), created on first use.</summary>
    public static Task<TestDatabase> GetDatabaseAsync(string logicalName) =>
        Databases.GetOrAdd(logicalName, n => new Lazy<Task<TestDatabase>>(async () => await TestDatabase.CreateAsync(await GetServerAsync(), RunId, n))).Value;

    internal static async Task ShutdownAsync()
    {
        if (Directory.Exists(ScratchDirectory))
        {
            try
            {
                Directory.Delete(ScratchDirectory, recursive: true);
            }
            catch (IOException e)
            {
                await TestContext.Progress.WriteLineAsync($"could not remove {ScratchDirectory}: {e.Message}");
            }
        }

        if (!Server.IsValueCreated || !Server.Value.IsCompletedSuccessfully)
        {
            return;
        }

        var server = await Server.Value;
        if (!server.IsThrowaway && !KeepDatabases)
        {
            foreach (var database in Databases.Values.Where(d => d.IsValueCreated && d.Value.IsCompletedSuccessfully))
            {
                try
                {
                    await (await database.Value).DropAsync();
                }
                catch (Npgsql.NpgsqlException e)
                {
                    await TestContext.Progress.WriteLineAsync($"postgres: could not drop {(await database.Value).Name}: {e.Message}");
                }
            }
        }
        else if (!server.IsThrowaway)
        {
            await TestContext.Progress.WriteLineAsync($"postgres: kept this run's databases ({TestDatabase.Prefix}{RunId}_*) on {server.DisplayName}");
        }

        await server.DisposeAsync();
    }

    private static async Task<PostgresServer> StartServerAsync()
    {
        var configured = TestContext.Parameters.Get(PostgresServer.ParameterName, string.Empty);
        if (string.IsNullOrWhiteSpace(configured))
        {
            configured = Environment.GetEnvironmentVariable(PostgresServer.EnvironmentVariable);
        }

        var server = await PostgresServer.FindOrStartAsync(configured, CancellationToken.None);
        if (!server.IsThrowaway)
        {
            await TestDatabase.DropStaleAsync(server);
        }

        return server;
    }

    private static bool IsYes(string? value) =>
        value is not null && (value == "1" || value.Equals("true", StringComparison.OrdinalIgnoreCase) || value.Equals("yes", StringComparison.OrdinalIgnoreCase));
}
