namespace ChainCore.Tests.Harness;

/// <summary>How one node under test is configured.</summary>
public sealed record NodeSettings
{
    public required string NodeId { get; init; }

    public string Network { get; init; } = "regtest";

    /// <summary>PostgreSQL connection string; null runs the node on SQLite in <see cref="DataDir"/>.</summary>
    public string? Database { get; init; }

    public string? DataDir { get; init; }

    /// <summary>Regtest's 100 blocks make spending tests slow; the suite lowers it.</summary>
    public int? CoinbaseMaturity { get; init; } = 1;

    public long? MinRelayFeePerKb { get; init; }

    public TimeProvider? Clock { get; init; }

    /// <summary>The test's log: the node writes into it at Debug level (console output stays at Warning).</summary>
    public TestLog? Log { get; init; }

    /// <summary>The prefix of the node's lines in <see cref="Log"/>; the node id when null.</summary>
    public string? LogSource { get; init; }

    /// <summary>Primary handler of the node's named P2P client; the test network routes peer traffic in memory through it.</summary>
    public Func<HttpMessageHandler>? PeerHandler { get; init; }

    public IReadOnlyDictionary<string, string?> Extra { get; init; } = new Dictionary<string, string?>();

    /// <summary>Changes to the node's services, made after its own registrations (a failing store in place of its store, say).</summary>
    public Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? Services { get; init; }
}
