using System.Collections.Concurrent;
using ChainCore.Tests.Harness.Postgres;

namespace ChainCore.Tests.Harness;

/// <summary>
/// Process-wide test resources: the PostgreSQL server (found or started on first use, so a run of
/// pure unit tests starts nothing) and its databases. It is the suite's one piece of static state,
/// owned by <see cref="AssemblySetup"/>, which disposes it when the run ends.
/// </summary>
public static class TestEnvironment
{
    private static readonly ConcurrentDictionary<string, Task<TestDatabase>> Databases = new();
    private static readonly Lazy<Task<PostgresServer>> Server = new(StartServerAsync);

    public static double TimeoutFactor
    {
        get
        {
            var text = TestContext.Parameters.Get("TimeoutFactor", "1");
            return double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var f) && f > 0 ? f : 1;
        }
    }

    /// <summary>A timeout scaled by the runsettings' TimeoutFactor.</summary>
    public static TimeSpan Scaled(TimeSpan timeout) => timeout * TimeoutFactor;

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

    public static Task<TestDatabase> GetDatabaseAsync(string name) =>
        Databases.GetOrAdd(name, async n => await TestDatabase.CreateAsync(await GetServerAsync(), n));

    internal static async Task ShutdownAsync()
    {
        if (Server.IsValueCreated && Server.Value.IsCompletedSuccessfully)
        {
            await (await Server.Value).DisposeAsync();
        }
    }

    private static Task<PostgresServer> StartServerAsync()
    {
        var configured = TestContext.Parameters.Get(PostgresServer.ParameterName, string.Empty);
        if (string.IsNullOrWhiteSpace(configured))
        {
            configured = Environment.GetEnvironmentVariable(PostgresServer.EnvironmentVariable);
        }

        return PostgresServer.FindOrStartAsync(configured, CancellationToken.None);
    }
}
