using System.Net;
using ChainCore.Core.Consensus;
using ChainCore.Node.Mempool;
using Microsoft.Extensions.Options;

namespace ChainCore.Node;

/// <summary>
/// The node's settings, bound from the "Node" section of appsettings.json, environment variables
/// (<c>Node__NodeId</c>) and command-line flags (<c>--node-id</c>; see <see cref="NodeCommandLine"/>),
/// later sources winning. <see cref="Validate"/> checks them all, whatever their source.
/// </summary>
public sealed class NodeOptions
{
    public const string Section = "Node";
    public const int DefaultApiPort = 5000;
    public const string DefaultHost = "127.0.0.1";

    public string NodeId { get; set; } = "node-0";

    /// <summary>main, devnet or regtest.</summary>
    public string Network { get; set; } = "regtest";

    /// <summary>Where the embedded SQLite database lives when no <see cref="Database"/> is given; by default ~/.chaincore.</summary>
    public string DataDir { get; set; } = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".chaincore");

    /// <summary>A PostgreSQL connection string; empty means the embedded SQLite store.</summary>
    public string? Database { get; set; }

    /// <summary>The address the API listens on: 127.0.0.1 unless told otherwise (0.0.0.0 for every interface).</summary>
    public string Host { get; set; } = DefaultHost;

    /// <summary>The API's port; null means <see cref="DefaultApiPort"/>, 0 a free port chosen at start (the start-up line shows it).</summary>
    public int? ApiPort { get; set; }

    /// <summary>Peer traffic's port: when set, the node listens on it too and tells peers to use it; otherwise peers use the API's endpoint.</summary>
    public int? P2PPort { get; set; }

    /// <summary>Comma-separated peer URLs to connect to at start.</summary>
    public string? BootstrapNodes { get; set; }

    /// <summary>This node's own URL as peers should reach it.</summary>
    public string? PublicUrl { get; set; }

    /// <summary>Coinbase maturity override, regtest and devnet only; null keeps the network's.</summary>
    public int? CoinbaseMaturity { get; set; }

    /// <summary>Minimum fee per 1,000 bytes, in units, for the mempool to accept a transaction.</summary>
    public long MinRelayFeePerKb { get; set; } = 1_000;

    public int MaxMempoolTransactions { get; set; } = 5_000;

    public int MaxMempoolBytes { get; set; } = 5_000_000;

    /// <summary>Most unconfirmed ancestors a mempool transaction may have, itself included (Bitcoin's -limitancestorcount).</summary>
    public int MempoolMaxAncestors { get; set; } = MempoolLimits.Default.MaxAncestors;

    /// <summary>Most unconfirmed descendants a mempool transaction may have, itself included (Bitcoin's -limitdescendantcount).</summary>
    public int MempoolMaxDescendants { get; set; } = MempoolLimits.Default.MaxDescendants;

    /// <summary>What an eviction for room adds to the mempool's minimum fee rate, units per 1,000 bytes (Bitcoin's -incrementalrelayfee).</summary>
    public long IncrementalRelayFeePerKb { get; set; } = MempoolLimits.Default.IncrementalRelayFeePerKb;

    /// <summary>Package limits above this make every package walk (admission, eviction, templates) needlessly long.</summary>
    public const int MaxPackageCount = 1_000;

    /// <summary>The mempool's policy limits these options set, the rest at their defaults.</summary>
    public MempoolLimits MempoolLimits => MempoolLimits.Default with
    {
        MaxAncestors = MempoolMaxAncestors,
        MaxDescendants = MempoolMaxDescendants,
        IncrementalRelayFeePerKb = IncrementalRelayFeePerKb,
    };

    public int MaxOrphanBlocks { get; set; } = 100;

    /// <summary>Regtest and devnet: the node's clock stands at this time (Unix seconds) until set again (<see cref="NodeClock"/>); null or 0 is the wall clock.</summary>
    public long? MockTime { get; set; }

    public const string MockTimeRule = "must be Unix seconds, from 0 (the wall clock) to 4294967295.";

    public const string MockTimeOnMainRule = "is only for regtest and devnet; main runs on the wall clock.";

    /// <summary>Whether the node serves its dashboard at <c>/</c>; null means the network's default: on regtest and devnet, off on main.</summary>
    public bool? Dashboard { get; set; }

    /// <summary>Whether the dashboard is served: as <see cref="Dashboard"/> says, or by default everywhere but main.</summary>
    public bool DashboardEnabled => Dashboard ?? !string.Equals(Network, ConsensusParams.Main.Name, StringComparison.OrdinalIgnoreCase);

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

    /// <summary>The embedded store's file when no <see cref="Database"/> is given.</summary>
    public string SqlitePath => Path.Combine(DataDir, $"{NodeId}-{Network}.db");

    /// <summary>Where the chain is kept, for logs: the SQLite file, or the PostgreSQL server and database without the password.</summary>
    public string DataLocation =>
        string.IsNullOrWhiteSpace(Database) ? $"SQLite {SqlitePath}"
        : NodeValues.TryDescribeDatabase(Database, out var description, out _) ? description
        : "PostgreSQL (unreadable connection string)";

    /// <summary>Binds the "Node" section; a value that does not convert (Node__ApiPort=abc) is an error naming its key, not an exception.</summary>
    public static NodeOptions? TryBind(IConfiguration configuration, out string? error)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = new NodeOptions();
        try
        {
            configuration.GetSection(Section).Bind(options);
            error = null;
            return options;
        }
        catch (InvalidOperationException e)
        {
            error = e.Message;
            return null;
        }
    }

    /// <summary>The URL the API listens on, from <see cref="Host"/> and <see cref="ApiPort"/>.</summary>
    public string ListenUrl
    {
        get
        {
            var host = IPAddress.TryParse(Host, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{ip}]" : Host;
            return $"http://{host}:{ApiPort ?? DefaultApiPort}";
        }
    }

    /// <summary>The second URL the node listens on when <see cref="P2PPort"/> is set and differs from the API's port; null otherwise.</summary>
    public string? P2PListenUrl =>
        P2PPort is { } port && port != (ApiPort ?? DefaultApiPort) ? $"{ListenUrl[..ListenUrl.LastIndexOf(':')]}:{port}" : null;

    /// <summary>Every problem with these settings, each naming its configuration key; empty when they are valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        void Check(bool ok, string key, string message)
        {
            if (!ok)
            {
                errors.Add($"{Section}:{key} {message}");
            }
        }

        Check(NodeValues.IsNodeId(NodeId), nameof(NodeId), NodeValues.NodeIdRule);
        Check(ConsensusParams.TryFromName(Network, out _), nameof(Network), NodeValues.NetworkRule);
        Check(!string.IsNullOrWhiteSpace(DataDir), nameof(DataDir), "is required.");
        Check(string.IsNullOrWhiteSpace(Database) || NodeValues.TryDescribeDatabase(Database, out _, out _), nameof(Database), "is not a PostgreSQL connection string.");
        Check(NodeValues.IsHost(Host), nameof(Host), NodeValues.HostRule);
        Check(ApiPort is null or (>= 0 and <= 65_535), nameof(ApiPort), NodeValues.ApiPortRule);
        Check(P2PPort is null or (>= 1 and <= 65_535), nameof(P2PPort), NodeValues.PortRule);
        Check(BootstrapNodeList.All(NodeValues.IsHttpUrl), nameof(BootstrapNodes), NodeValues.UrlsRule);
        Check(PublicUrl is null || NodeValues.IsHttpUrl(PublicUrl), nameof(PublicUrl), NodeValues.UrlRule);
        Check(CoinbaseMaturity is null or (>= 1 and <= NodeValues.MaxCoinbaseMaturity), nameof(CoinbaseMaturity), NodeValues.MaturityRule);
        Check(CoinbaseMaturity is null || !string.Equals(Network, ConsensusParams.Main.Name, StringComparison.OrdinalIgnoreCase), nameof(CoinbaseMaturity), NodeValues.MaturityOnMainRule);
        Check(MinRelayFeePerKb >= 0, nameof(MinRelayFeePerKb), "must not be negative.");
        Check(MaxMempoolTransactions >= 1, nameof(MaxMempoolTransactions), "must be at least 1.");
        Check(MaxMempoolBytes >= 1, nameof(MaxMempoolBytes), "must be at least 1.");
        Check(MempoolMaxAncestors is >= 1 and <= MaxPackageCount, nameof(MempoolMaxAncestors), NodeValues.PackageCountRule);
        Check(MempoolMaxDescendants is >= 1 and <= MaxPackageCount, nameof(MempoolMaxDescendants), NodeValues.PackageCountRule);
        Check(IncrementalRelayFeePerKb >= 0, nameof(IncrementalRelayFeePerKb), "must not be negative.");
        Check(MockTime is null or (>= 0 and <= uint.MaxValue), nameof(MockTime), MockTimeRule);
        Check(MockTime is null || !string.Equals(Network, ConsensusParams.Main.Name, StringComparison.OrdinalIgnoreCase), nameof(MockTime), MockTimeOnMainRule);
        Check(MaxOrphanBlocks >= 0, nameof(MaxOrphanBlocks), "must not be negative.");
        Check(MaxRequestBytes >= 1_024, nameof(MaxRequestBytes), "must be at least 1024.");
        return errors;
    }
}

/// <summary>Runs <see cref="NodeOptions.Validate"/> when the host starts, for settings that come from configuration alone (the test harness, environment variables).</summary>
public sealed class NodeOptionsValidator : IValidateOptions<NodeOptions>
{
    public ValidateOptionsResult Validate(string? name, NodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
