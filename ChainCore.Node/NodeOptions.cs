using ChainCore.Core.Consensus;

namespace ChainCore.Node;

/// <summary>
/// The node's settings, bound from the "Node" section of appsettings, environment variables
/// (<c>Node__NodeId</c>) and command-line flags (<c>--node-id</c>; see <see cref="CommandLine"/>).
/// </summary>
public sealed class NodeOptions
{
    public const string Section = "Node";

    public string NodeId { get; set; } = "node";

    /// <summary>main, devnet or regtest.</summary>
    public string Network { get; set; } = "regtest";

    /// <summary>Where the embedded SQLite database lives when no <see cref="Database"/> is given; by default ~/.chaincore.</summary>
    public string DataDir { get; set; } = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".chaincore");

    /// <summary>A PostgreSQL connection string; empty means the embedded SQLite store.</summary>
    public string? Database { get; set; }

    public int? ApiPort { get; set; }

    /// <summary>Accepted for compatibility; peer traffic runs over the API's HTTP endpoint unless set.</summary>
    public int? P2PPort { get; set; }

    /// <summary>Comma-separated peer URLs to connect to at start.</summary>
    public string? BootstrapNodes { get; set; }

    /// <summary>This node's own URL as peers should reach it.</summary>
    public string? PublicUrl { get; set; }

    /// <summary>Coinbase maturity override (regtest tests lower it); null keeps the network's.</summary>
    public int? CoinbaseMaturity { get; set; }

    /// <summary>Minimum fee per 1,000 bytes, in units, for the mempool to accept a transaction.</summary>
    public long MinRelayFeePerKb { get; set; } = 1_000;

    public int MaxMempoolTransactions { get; set; } = 5_000;

    public int MaxMempoolBytes { get; set; } = 5_000_000;

    public int MaxOrphanBlocks { get; set; } = 100;

    /// <summary>Largest request body the API reads.</summary>
    public int MaxRequestBytes { get; set; } = 2_500_000;

    public ConsensusParams ResolveConsensus()
    {
        if (!ConsensusParams.TryFromName(Network, out var p))
        {
            throw new InvalidOperationException($"Unknown network '{Network}'. Use main, devnet or regtest.");
        }

        return CoinbaseMaturity is { } maturity ? p with { CoinbaseMaturity = maturity } : p;
    }

    public IReadOnlyList<string> BootstrapNodeList =>
        (BootstrapNodes ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The testing plan's flags and where they bind.</summary>
    public static IReadOnlyDictionary<string, string> CommandLine { get; } = new Dictionary<string, string>
    {
        ["--node-id"] = $"{Section}:NodeId",
        ["--network"] = $"{Section}:Network",
        ["--data-dir"] = $"{Section}:DataDir",
        ["--database"] = $"{Section}:Database",
        ["--api-port"] = $"{Section}:ApiPort",
        ["--p2p-port"] = $"{Section}:P2PPort",
        ["--bootstrap-nodes"] = $"{Section}:BootstrapNodes",
        ["--public-url"] = $"{Section}:PublicUrl",
        ["--coinbase-maturity"] = $"{Section}:CoinbaseMaturity",
    };
}
