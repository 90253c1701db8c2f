namespace ChainCore.Tests.Harness;

/// <summary>
/// Where a test node keeps its chain: its own PostgreSQL database (<see cref="Database"/>) or its own
/// SQLite folder (<see cref="DataDir"/>). The one place the harness creates and empties them, for
/// <see cref="NodeTestBase"/> and <see cref="TestNetwork"/> alike.
/// </summary>
public sealed record NodeStorage(string? Database, string? DataDir)
{
    /// <summary>The database a node with this number uses in this run; the same for every test, emptied between them.</summary>
    public static string DatabaseNameFor(int index) => $"node_{index}";

    /// <summary>
    /// Node <paramref name="index"/>'s storage of kind <paramref name="kind"/>: the run's database for
    /// that node (created on first use), or the folder <paramref name="sqliteRoot"/>/<paramref name="nodeId"/>.
    /// Emptied first unless <paramref name="reset"/> is false (a restart on the node's own data).
    /// </summary>
    public static async Task<NodeStorage> ProvideAsync(StoreKind kind, int index, string nodeId, string sqliteRoot, bool reset)
    {
        if (kind == StoreKind.Postgres)
        {
            var db = await TestEnvironment.GetDatabaseAsync(DatabaseNameFor(index));
            if (reset)
            {
                await db.ResetAsync();
            }

            return new NodeStorage(db.ConnectionString, null);
        }

        var dataDir = Path.Combine(sqliteRoot, nodeId);
        if (reset && Directory.Exists(dataDir))
        {
            Directory.Delete(dataDir, recursive: true);
        }

        return new NodeStorage(null, dataDir);
    }
}
