using System.CommandLine;
using System.Globalization;
using ChainCore.Core.Mining;

namespace ChainCore.Miner;

/// <summary>The miner's flags. Each bad value is refused by the parser with a message naming the flag.</summary>
public sealed class MinerCommandLine
{
    public MinerCommandLine()
    {
        InRange(Workers, 1, 1024, "--workers must be between 1 and 1024.");
        InRange(Timeout, 1, int.MaxValue, "--timeout must be a positive number of seconds.");
        InRange(ApiPort, 0, 65535, "--api-port must be between 0 and 65535.");
        InRange(Benchmark, 1, 3600, "--benchmark must be between 1 and 3600 seconds.");
        Root = new RootCommand("ChainCore miner: mines blocks for a ChainCore node on every core, paying an address or a wallet.")
        {
            Node, Address, Wallet, Workers, Timeout, ApiPort, Host, Kernel, Benchmark,
        };
    }

    public RootCommand Root { get; }

    public Option<string> Node { get; } = new("--node")
    {
        Description = "The node's URL (default http://127.0.0.1:5000)",
        HelpName = "URL",
    };

    public Option<string> Address { get; } = new("--address") { Description = "The address the blocks pay (starts with 1)", HelpName = "ADDRESS" };

    public Option<string> Wallet { get; } = new("--wallet") { Description = "A wallet file whose address the blocks pay (relative to the current directory)", HelpName = "FILE" };

    public Option<int?> Workers { get; } = new("--workers") { Description = "Mining threads (default: one per core)", HelpName = "N" };

    public Option<int?> Timeout { get; } = new("--timeout") { Description = "Stop after this many seconds and exit 0 (default: run until Ctrl-C)", HelpName = "SECONDS" };

    public Option<int?> ApiPort { get; } = new("--api-port") { Description = "Port of the miner's own API: GET /status, POST /start, POST /stop (default: a free port)", HelpName = "PORT" };

    public Option<string> Host { get; } = new("--host") { Description = "Address the miner's API listens on (default 127.0.0.1)", HelpName = "ADDRESS" };

    public Option<KernelWidth?> Kernel { get; } = new("--kernel") { Description = "Hashing kernel: Scalar, Vector128, Vector256 or Vector512 (default: the widest this CPU accelerates)", HelpName = "KERNEL" };

    public Option<int?> Benchmark { get; } = new("--benchmark") { Description = "Measure the hash rate for this many seconds on a block no nonce solves, print it and exit (no node needed)", HelpName = "SECONDS" };

    // Checks the value once it is a number; a value that is not one is refused by the parser itself.
    private static void InRange(Option<int?> option, int min, int max, string message) =>
        option.Validators.Add(r =>
        {
            if (r.Tokens.Count > 0 && int.TryParse(r.Tokens[^1].Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && (value < min || value > max))
            {
                r.AddError(message);
            }
        });

    /// <summary>The given flags as configuration keys of the "Miner" section.</summary>
    public Dictionary<string, string?> Settings(ParseResult parsed)
    {
        ArgumentNullException.ThrowIfNull(parsed);
        var settings = new Dictionary<string, string?>();
        void Set(string key, string? value)
        {
            if (value is not null)
            {
                settings[$"{MinerOptions.Section}:{key}"] = value;
            }
        }

        Set(nameof(MinerOptions.Node), parsed.GetValue(Node));
        Set(nameof(MinerOptions.Address), parsed.GetValue(Address));
        Set(nameof(MinerOptions.Wallet), parsed.GetValue(Wallet) is { } wallet ? Path.GetFullPath(wallet) : null);
        Set(nameof(MinerOptions.Workers), parsed.GetValue(Workers)?.ToString(CultureInfo.InvariantCulture));
        Set(nameof(MinerOptions.Timeout), parsed.GetValue(Timeout)?.ToString(CultureInfo.InvariantCulture));
        Set(nameof(MinerOptions.Kernel), parsed.GetValue(Kernel)?.ToString());
        return settings;
    }
}
