namespace ChainCore.Tests.Harness;

public enum StoreKind
{
    Postgres,
    Sqlite,
}

/// <summary>
/// Base for tests that run nodes: each node gets its own database (PostgreSQL, reset by Respawn)
/// or its own SQLite file, and every node a test started is disposed when it ends, pass or fail.
/// </summary>
public abstract class NodeTestBase
{
    private readonly List<TestNode> _started = [];

    /// <summary>Starts node number <paramref name="index"/> on a clean database unless <paramref name="reset"/> is false (a restart).</summary>
    protected async Task<TestNode> StartNodeAsync(
        StoreKind store = StoreKind.Postgres,
        bool reset = true,
        int index = 0,
        int coinbaseMaturity = 1,
        string network = "regtest",
        long? minRelayFeePerKb = null,
        TimeProvider? clock = null)
    {
        var nodeId = $"node-{index}";
        string? database = null;
        string? dataDir = null;
        if (store == StoreKind.Postgres)
        {
            var db = await TestEnvironment.GetDatabaseAsync($"node_{index}");
            if (reset)
            {
                await db.ResetAsync();
            }

            database = db.ConnectionString;
        }
        else
        {
            dataDir = Path.Combine(Path.GetTempPath(), "chaincore-tests", TestContext.CurrentContext.Test.ID, nodeId);
            if (reset && Directory.Exists(dataDir))
            {
                Directory.Delete(dataDir, recursive: true);
            }
        }

        var node = await TestNode.StartAsync(new NodeSettings
        {
            NodeId = nodeId,
            Network = network,
            Database = database,
            DataDir = dataDir,
            CoinbaseMaturity = coinbaseMaturity,
            MinRelayFeePerKb = minRelayFeePerKb,
            Clock = clock,
        });
        _started.Add(node);
        return node;
    }

    [TearDown]
    public async Task DisposeNodesAsync()
    {
        foreach (var node in _started)
        {
            await node.DisposeAsync();
        }

        _started.Clear();
        var sqliteDir = Path.Combine(Path.GetTempPath(), "chaincore-tests", TestContext.CurrentContext.Test.ID);
        if (Directory.Exists(sqliteDir))
        {
            Directory.Delete(sqliteDir, recursive: true);
        }
    }
}
