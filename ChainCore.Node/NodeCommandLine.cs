using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using System.Globalization;
using ChainCore.Core.Consensus;
using ChainCore.Node.Mempool;

namespace ChainCore.Node;

/// <summary>
/// The node's flags (System.CommandLine). Parsing only reads: nothing is created, opened or bound
/// here. Each flag maps to a configuration key of <see cref="NodeOptions"/>, so appsettings.json,
/// environment variables (<c>Node__ApiPort</c>) and flags set the same settings, flags winning.
/// </summary>
public sealed class NodeCommandLine
{
    public const int ExitBadUsage = 2;
    public const int ExitFailure = 1;

    private readonly List<(Option<string> Option, string Key, Func<string, string?> Check, Func<string, string> Value)> _flags = [];
    private readonly RootCommand _root;

    // A switch, unlike the other flags: "--dashboard" alone turns it on, "--dashboard false" off.
    private readonly Option<bool> _dashboard = new("--dashboard")
    {
        Description = "Serve the live dashboard at / (default: on for regtest and devnet, off for main; --dashboard false turns it off)",
        Arity = ArgumentArity.ZeroOrOne,
    };

    public NodeCommandLine()
    {
        _root = new RootCommand("""
            ChainCore node: a proof-of-work chain with a REST API (OpenAPI document at /openapi/v1.json;
            a browsable reference at /scalar on regtest and devnet).

            Every flag sets a key of the "Node" section, which appsettings.json and environment
            variables (Node__ApiPort=5001) can set too; a flag wins. Exit codes: 0 stopped cleanly,
            1 failed at start (database unreachable, data directory unusable), 2 bad usage or setting.
            """);
        Add("--node-id", "ID", "This node's name; with the network it names the SQLite file (default: node-0)", nameof(NodeOptions.NodeId),
            v => NodeValues.IsNodeId(v) ? null : NodeValues.NodeIdRule);
        Add("--network", "main|devnet|regtest", "The chain to run (default: regtest)", nameof(NodeOptions.Network),
            v => ConsensusParams.TryFromName(v, out _) ? null : NodeValues.NetworkRule, v => v.ToLowerInvariant());
        Add("--data-dir", "PATH", "Directory of the embedded SQLite database when no --database is given (default: ~/.chaincore; a relative path means the current directory)", nameof(NodeOptions.DataDir),
            CheckPath, v => Path.GetFullPath(v, Environment.CurrentDirectory));
        Add("--database", "CONNECTION", "A PostgreSQL connection string (\"Host=…;Username=…;Password=…;Database=…\") instead of SQLite", nameof(NodeOptions.Database),
            v => NodeValues.TryDescribeDatabase(v, out _, out var error) ? null : $"is not a PostgreSQL connection string ({error}).");
        Add("--host", "ADDRESS", $"The address the API listens on (default: {NodeOptions.DefaultHost}; 0.0.0.0 for every interface)", nameof(NodeOptions.Host),
            v => NodeValues.IsHost(v) ? null : NodeValues.HostRule);
        Add("--api-port", "PORT", $"The API's port (default: {NodeOptions.DefaultApiPort}; 0 picks a free port, shown in the start-up line)", nameof(NodeOptions.ApiPort),
            v => IsInteger(v, 0, 65_535) ? null : NodeValues.ApiPortRule);
        Add("--p2p-port", "PORT", "A second port the node listens on and tells peers to use (default: peers use the API's port)", nameof(NodeOptions.P2PPort),
            v => IsInteger(v, 1, 65_535) ? null : NodeValues.PortRule);
        Add("--bootstrap-nodes", "URLS", "Comma-separated URLs of peers to connect to at start", nameof(NodeOptions.BootstrapNodes),
            v => v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).All(NodeValues.IsHttpUrl) ? null : NodeValues.UrlsRule);
        Add("--public-url", "URL", "This node's own URL as peers should reach it", nameof(NodeOptions.PublicUrl),
            v => NodeValues.IsHttpUrl(v) ? null : NodeValues.UrlRule);
        Add("--coinbase-maturity", "BLOCKS", "Blocks before a coinbase output can be spent, regtest and devnet only (default: the network's: regtest 100, devnet 10)", nameof(NodeOptions.CoinbaseMaturity),
            v => IsInteger(v, 1, NodeValues.MaxCoinbaseMaturity) ? null : NodeValues.MaturityRule);
        Add("--min-relay-fee-per-kb", "UNITS", "Smallest fee per 1,000 bytes, in units (1 coin = 100,000,000), the mempool accepts (default: 1000)", nameof(NodeOptions.MinRelayFeePerKb),
            v => IsInteger(v, 0, long.MaxValue) ? null : "must be a whole number of units, 0 or more.");
        Add("--max-mempool-transactions", "COUNT", "Most transactions the mempool holds (default: 5000)", nameof(NodeOptions.MaxMempoolTransactions),
            v => IsInteger(v, 1, int.MaxValue) ? null : "must be a whole number, 1 or more.");
        Add("--max-mempool-bytes", "BYTES", "Most bytes of transactions the mempool holds (default: 5000000)", nameof(NodeOptions.MaxMempoolBytes),
            v => IsInteger(v, 1, int.MaxValue) ? null : "must be a whole number, 1 or more.");
        Add("--mempool-max-ancestors", "COUNT", $"Most unconfirmed ancestors a mempool transaction may have, itself included (default: {MempoolLimits.Default.MaxAncestors})", nameof(NodeOptions.MempoolMaxAncestors),
            v => IsInteger(v, 1, NodeOptions.MaxPackageCount) ? null : NodeValues.PackageCountRule);
        Add("--mempool-max-descendants", "COUNT", $"Most unconfirmed descendants a mempool transaction may have, itself included (default: {MempoolLimits.Default.MaxDescendants})", nameof(NodeOptions.MempoolMaxDescendants),
            v => IsInteger(v, 1, NodeOptions.MaxPackageCount) ? null : NodeValues.PackageCountRule);
        Add("--incremental-relay-fee-per-kb", "UNITS", $"What evicting transactions for room adds to the mempool's minimum fee per 1,000 bytes, in units (default: {MempoolLimits.Default.IncrementalRelayFeePerKb})", nameof(NodeOptions.IncrementalRelayFeePerKb),
            v => IsInteger(v, 0, long.MaxValue) ? null : "must be a whole number of units, 0 or more.");
        Add("--max-orphan-blocks", "COUNT", "Most blocks with an unknown parent kept waiting (default: 100)", nameof(NodeOptions.MaxOrphanBlocks),
            v => IsInteger(v, 0, int.MaxValue) ? null : "must be a whole number, 0 or more.");
        Add("--mock-time", "UNIX_SECONDS", "Regtest and devnet: the node's clock stands at this time until set again with POST /debug/mocktime, as Bitcoin Core's setmocktime; 0 is the wall clock (default)", nameof(NodeOptions.MockTime),
            v => IsInteger(v, 0, uint.MaxValue) ? null : NodeOptions.MockTimeRule);
        Add("--max-request-bytes", "BYTES", "Largest request body the API reads (default: 2500000)", nameof(NodeOptions.MaxRequestBytes),
            v => IsInteger(v, 1_024, int.MaxValue) ? null : "must be a whole number, 1024 or more.");
        _root.Options.Add(_dashboard);

        _root.Validators.Add(result =>
        {
            var network = result.GetValue<string>("--network");
            if (result.GetResult("--coinbase-maturity") is not null && string.Equals(network, ConsensusParams.Main.Name, StringComparison.OrdinalIgnoreCase))
            {
                result.AddError($"--coinbase-maturity {NodeValues.MaturityOnMainRule}");
            }

            if (result.GetResult("--mock-time") is not null && string.Equals(network, ConsensusParams.Main.Name, StringComparison.OrdinalIgnoreCase))
            {
                result.AddError($"--mock-time {NodeOptions.MockTimeOnMainRule}");
            }
        });
    }

    /// <summary>What the command line asks for: an exit code (help, or a bad flag), or the settings the flags give as configuration keys.</summary>
    public sealed record Outcome(int? ExitCode, IReadOnlyDictionary<string, string?> Settings);

    /// <summary>
    /// Parses <paramref name="args"/>. Help is written to <paramref name="output"/> (exit code 0); a
    /// bad flag or value is one line on <paramref name="error"/> naming the flag (exit code 2);
    /// otherwise the settings the flags give, as configuration keys.
    /// </summary>
    public Outcome Parse(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var parsed = _root.Parse(args);
        if (parsed.Action is HelpAction || (parsed.Errors.Count == 0 && parsed.Action is not null))
        {
            // --help or --version: print and exit; nothing else happens.
            var code = parsed.Invoke(new InvocationConfiguration { Output = output, Error = error });
            return new Outcome(code, new Dictionary<string, string?>());
        }

        if (parsed.Errors.Count > 0)
        {
            error.WriteLine($"error: {parsed.Errors[0].Message} (see --help)");
            return new Outcome(ExitBadUsage, new Dictionary<string, string?>());
        }

        var settings = new Dictionary<string, string?>();
        foreach (var (option, key, _, value) in _flags)
        {
            if (parsed.GetResult(option) is not null && parsed.GetValue(option) is { } text)
            {
                settings[$"{NodeOptions.Section}:{key}"] = value(text);
            }
        }

        if (parsed.GetResult(_dashboard) is { Implicit: false })
        {
            settings[$"{NodeOptions.Section}:{nameof(NodeOptions.Dashboard)}"] = parsed.GetValue(_dashboard) ? "true" : "false";
        }

        return new Outcome(null, settings);
    }

    private void Add(string name, string helpName, string description, string key, Func<string, string?> check, Func<string, string>? value = null)
    {
        var option = new Option<string>(name) { Description = description, HelpName = helpName };
        option.Validators.Add(result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : string.Empty;
            if (check(text) is { } problem)
            {
                result.AddError($"{name} {Quote(name, text)} {problem}");
            }
        });
        _flags.Add((option, key, check, value ?? (v => v)));
        _root.Options.Add(option);
    }

    // A connection string may hold a password: it is never echoed back.
    private static string Quote(string name, string text) => name == "--database" ? "(value not shown)" : $"'{text}'";

    private static bool IsInteger(string text, long min, long max) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max;

    private static string? CheckPath(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return "must be a directory path.";
        }

        try
        {
            _ = Path.GetFullPath(text, Environment.CurrentDirectory);
            return null;
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return $"is not a usable path ({e.Message}).";
        }
    }
}
