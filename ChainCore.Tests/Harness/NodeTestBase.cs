using System.Runtime.CompilerServices;

namespace ChainCore.Tests.Harness;

public enum StoreKind
{
    Postgres,
    Sqlite,
}

/// <summary>
/// Base for tests that run nodes: each node gets its own database (PostgreSQL, reset by Respawn)
/// or its own SQLite file, and every node a test started is disposed when it ends, pass or fail.
/// The nodes log into the test's <see cref="Log"/> at Debug level; when the test fails, that log
/// is attached to it and the nodes' data is kept (<see cref="FailureEvidence"/>).
/// </summary>
public abstract class NodeTestBase
{
    private readonly List<TestNode> _started = [];
    private TestLog? _log;

    /// <summary>The current test's log, shared by all its nodes (a fixture instance serves several tests: one log each).</summary>
    protected TestLog Log => _log ??= new TestLog();

    /// <summary>The nodes the current test started, in order.</summary>
    protected IReadOnlyList<TestNode> StartedNodes => _started;

    /// <summary>Starts node number <paramref name="index"/> on a clean database unless <paramref name="reset"/> is false (a restart).</summary>
    protected async Task<TestNode> StartNodeAsync(
        StoreKind store = StoreKind.Postgres,
        bool reset = true,
        int index = 0,
        int coinbaseMaturity = 1,
        string network = "regtest",
        long? minRelayFeePerKb = null,
        TimeProvider? clock = null,
        IReadOnlyDictionary<string, string?>? settings = null)
    {
        var nodeId = $"node-{index}";
        var storage = await NodeStorage.ProvideAsync(store, index, nodeId, Path.Combine(TestEnvironment.ScratchDirectory, TestContext.CurrentContext.Test.ID), reset);
        var node = await TestNode.StartAsync(new NodeSettings
        {
            NodeId = nodeId,
            Network = network,
            Database = storage.Database,
            DataDir = storage.DataDir,
            CoinbaseMaturity = coinbaseMaturity,
            MinRelayFeePerKb = minRelayFeePerKb,
            Clock = clock,
            Log = Log,
            Extra = settings ?? new Dictionary<string, string?>(),
        });
        _started.Add(node);
        return node;
    }

    /// <summary>Waits (bounded, scaled) until <paramref name="condition"/> holds; on failure the message shows every node of the test.</summary>
    protected Task WaitUntilNodesAsync(
        Func<bool> condition,
        TimeSpan? timeout = null,
        [CallerArgumentExpression(nameof(condition))] string conditionText = "") =>
        Waits.WaitUntilAsync(
            () => Task.FromResult(condition()),
            () => Task.FromResult(string.Join("; ", _started.Select(n => n.ToString()))),
            timeout ?? TimeSpan.FromSeconds(30),
            Timeouts.Factor,
            CancellationToken.None,
            conditionText);

    [TearDown]
    public async Task DisposeNodesAsync()
    {
        try
        {
            foreach (var node in _started)
            {
                await node.DisposeAsync();
            }

            if (FailureEvidence.CurrentTestFailed && _started.Count > 0)
            {
                await FailureEvidence.KeepAsync(_log, _started);
            }
        }
        finally
        {
            _started.Clear();
            _log = null;
            var sqliteDir = Path.Combine(TestEnvironment.ScratchDirectory, TestContext.CurrentContext.Test.ID);
            if (Directory.Exists(sqliteDir))
            {
                Directory.Delete(sqliteDir, recursive: true);
            }
        }
    }
}
