using System.CommandLine;
using System.CommandLine.Help;
using System.Globalization;
using System.Text.Json;
using ChainCore.Core.Api;
using ChainCore.Core.Crypto;
using ChainCore.Core.Primitives;
using ChainCore.Core.Wallet;

namespace ChainCore.Wallet;

/// <summary>
/// The commands and what they do. Every input is checked before anything is sent; every failure is
/// one line on standard error and an exit code from <see cref="ExitCodes"/>.
/// </summary>
internal sealed class WalletCommands
{
    public const string PassphraseVariable = "CHAINCORE_WALLET_PASSPHRASE";
    public const string DefaultNode = "http://127.0.0.1:5000";
    public static readonly Amount DefaultFee = Amount.ParseCoins("0.001");
    private static readonly TimeSpan NodeTimeout = TimeSpan.FromSeconds(30);

    private readonly IWalletConsole _console;
    private readonly HttpMessageHandler? _nodeHandler;
    private readonly KdfCost _kdfCost;

    private readonly Option<string> _wallet = new("--wallet")
    {
        Description = "The wallet file (a relative path means the current directory)",
        DefaultValueFactory = _ => Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".chaincore", "wallet.json"),
        HelpName = "FILE",
        Recursive = true,
    };

    private readonly Option<string> _node = new("--node")
    {
        Description = "The node's URL",
        DefaultValueFactory = _ => DefaultNode,
        HelpName = "URL",
        Recursive = true,
    };

    private readonly Option<bool> _passphrase = new("--passphrase")
    {
        Description = $"Encrypt the private key under a passphrase, asked for on the terminal (or taken from {PassphraseVariable})",
    };

    private readonly Option<string> _to = new("--to") { Description = "The address to pay (starts with 1)", Required = true, HelpName = "ADDRESS" };

    private readonly Option<string> _amount = new("--amount") { Description = "Coins to send, at most 8 decimals (e.g. 7 or 0.5)", Required = true, HelpName = "COINS" };

    private readonly Option<string> _fee = new("--fee") { Description = $"Fee in coins, at most 8 decimals (default {DefaultFee.ToCoins()})", HelpName = "COINS" };

    public WalletCommands(IWalletConsole console, HttpMessageHandler? nodeHandler, KdfCost kdfCost)
    {
        _console = console;
        _nodeHandler = nodeHandler;
        _kdfCost = kdfCost;
    }

    public async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken ct)
    {
        var root = BuildCommands();
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0 && parsed.Action is not HelpAction)
        {
            _console.Error.WriteLine($"error: {string.Join(" ", parsed.Errors.Select(e => e.Message).Distinct())} (see --help)");
            return ExitCodes.BadInput;
        }

        // No signal handlers: they are process-wide, and Ctrl-C can do no harm here (a file is written by
        // one rename, a payment is one request).
        var configuration = new InvocationConfiguration
        {
            Output = _console.Out,
            Error = _console.Error,
            EnableDefaultExceptionHandler = false,
            ProcessTerminationTimeout = null,
        };
        return await parsed.InvokeAsync(configuration, ct);
    }

    private RootCommand BuildCommands()
    {
        var root = new RootCommand($"""
            ChainCore wallet: keys in a file, payments signed here (the private key never leaves this machine).
            The passphrase of an encrypted wallet is asked for on the terminal without echo, or read from {PassphraseVariable}.

            {ExitCodes.Help}
            """);
        root.Options.Add(_wallet);
        root.Options.Add(_node);

        var create = new Command("create", "Create a new wallet file with a new key (never overwrites a file)") { _passphrase };
        create.SetAction((p, ct) => Run(() => CreateAsync(p), ct));
        var address = new Command("address", "Show the wallet's address");
        address.SetAction((p, ct) => Run(() => ShowAddressAsync(p), ct));
        var balance = new Command("balance", "Show the confirmed, immature and pending balance");
        balance.SetAction((p, ct) => Run(() => ShowBalanceAsync(p, ct), ct));
        var send = new Command("send", "Pay an address: coin selection, change and signing happen here") { _to, _amount, _fee };
        send.SetAction((p, ct) => Run(() => SendAsync(p, ct), ct));
        var history = new Command("history", "List the wallet's transactions, unconfirmed first");
        history.SetAction((p, ct) => Run(() => ShowHistoryAsync(p, ct), ct));
        root.Subcommands.Add(create);
        root.Subcommands.Add(address);
        root.Subcommands.Add(balance);
        root.Subcommands.Add(send);
        root.Subcommands.Add(history);
        return root;
    }

    private async Task<int> Run(Func<Task<int>> action, CancellationToken ct)
    {
        try
        {
            return await action();
        }
        catch (WalletCliException e)
        {
            _console.Error.WriteLine($"error: {e.Message}");
            return e.ExitCode;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            _console.Error.WriteLine("error: cancelled.");
            return ExitCodes.Failure;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _console.Error.WriteLine($"error: unexpected {e.GetType().Name}: {e.Message}");
            return ExitCodes.Failure;
        }
    }

    private Task<int> CreateAsync(ParseResult p)
    {
        var path = WalletPath(p);
        if (File.Exists(path))
        {
            throw new WalletCliException(ExitCodes.BadInput, $"'{path}' already exists; refusing to overwrite it.");
        }

        string? passphrase = null;
        if (p.GetValue(_passphrase))
        {
            passphrase = NewPassphrase();
        }

        var file = WalletFile.Create(PrivateKey.Generate(), passphrase, _kdfCost);
        try
        {
            file.SaveNew(path);
        }
        catch (IOException) when (File.Exists(path))
        {
            throw new WalletCliException(ExitCodes.BadInput, $"'{path}' already exists; refusing to overwrite it.");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new WalletCliException(ExitCodes.BadInput, $"Cannot write '{path}': {e.Message}");
        }

        _console.Out.WriteLine($"Created {path}{(file.IsEncrypted ? " (encrypted)" : string.Empty)}");
        _console.Out.WriteLine($"Address: {file.Address}");
        if (!file.IsEncrypted)
        {
            _console.Error.WriteLine("note: the private key is stored unencrypted; use --passphrase to encrypt it.");
        }

        return Task.FromResult(ExitCodes.Success);
    }

    private Task<int> ShowAddressAsync(ParseResult p)
    {
        _console.Out.WriteLine(LoadWallet(p).Address);
        return Task.FromResult(ExitCodes.Success);
    }

    private async Task<int> ShowBalanceAsync(ParseResult p, CancellationToken ct)
    {
        var file = LoadWallet(p);
        using var http = NodeHttp(p);
        var node = new NodeClient(http);
        var balance = await CallNodeAsync(http, () => node.GetBalanceAsync(file.Address.ToString(), ct), ct);
        var immatureNote = "mined, not spendable yet";
        if (balance.Immature > 0)
        {
            var utxos = await CallNodeAsync(http, () => node.GetUtxosAsync(file.Address.ToString(), ct), ct);
            if (utxos.Utxos.Where(u => !u.Spendable && u.MatureAtHeight is not null).OrderBy(u => u.MatureAtHeight).FirstOrDefault() is { } next)
            {
                immatureNote = $"mined; the next {Plain(next.Value)} becomes spendable at height {next.MatureAtHeight}";
            }
        }

        var o = _console.Out;
        o.WriteLine($"Address:    {file.Address}");
        o.WriteLine($"Confirmed:  {Coins(balance.Confirmed)}  (in the chain, spendable)");
        o.WriteLine($"Immature:   {Coins(balance.Immature)}  ({immatureNote})");
        o.WriteLine($"Pending:    {Coins(balance.Pending, signed: true)}  (unconfirmed: +{Plain(balance.PendingIncoming)} in, -{Plain(balance.PendingOutgoing)} out)");
        o.WriteLine($"Total:      {Coins(balance.Total)}  (confirmed + pending; immature not included)");
        o.WriteLine($"As of height {balance.TipHeight}");
        return ExitCodes.Success;
    }

    private async Task<int> SendAsync(ParseResult p, CancellationToken ct)
    {
        var toText = p.GetValue(_to)!;
        if (!Address.TryParse(toText, out var to))
        {
            throw new WalletCliException(ExitCodes.BadInput, $"--to: '{toText}' is not a valid address (Base58Check, starting with 1).");
        }

        var amount = ParseCoins("--amount", p.GetValue(_amount));
        if (amount.Units == 0)
        {
            throw new WalletCliException(ExitCodes.BadInput, "--amount: must be more than 0.");
        }

        var fee = p.GetValue(_fee) is { } feeText ? ParseCoins("--fee", feeText) : DefaultFee;
        var file = LoadWallet(p);
        var key = Unlock(file);
        using var http = NodeHttp(p);
        var wallet = new WalletClient(new NodeClient(http), key);
        var result = await CallNodeAsync(http, () => wallet.SendTransactionAsync(to, amount, fee, ct), ct);
        if (!result.Accepted)
        {
            throw new WalletCliException(ExitCodes.Refused, $"refused ({result.Code}): {result.Message}");
        }

        _console.Out.WriteLine($"Sent {amount} CHC to {to} with fee {fee} CHC");
        _console.Out.WriteLine($"Transaction: {result.Id}");
        return ExitCodes.Success;
    }

    private async Task<int> ShowHistoryAsync(ParseResult p, CancellationToken ct)
    {
        var file = LoadWallet(p);
        using var http = NodeHttp(p);
        var history = await CallNodeAsync(http, () => new NodeClient(http).GetHistoryAsync(file.Address.ToString(), ct), ct);
        if (history.Transactions.Count == 0)
        {
            _console.Out.WriteLine($"No transactions for {file.Address}.");
            return ExitCodes.Success;
        }

        _console.Out.WriteLine($"{"Height",-8}  {"Change",20}  Transaction");
        foreach (var t in history.Transactions)
        {
            var where = t.BlockHeight is { } h ? h.ToString(CultureInfo.InvariantCulture) : "pending";
            _console.Out.WriteLine($"{where,-8}  {Coins(t.Received - t.Spent, signed: true),20}  {t.TxId}");
        }

        return ExitCodes.Success;
    }

    private string WalletPath(ParseResult p)
    {
        var path = p.GetValue(_wallet);
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new WalletCliException(ExitCodes.BadInput, "--wallet: a file path is required.");
        }

        return Path.GetFullPath(path);
    }

    private WalletFile LoadWallet(ParseResult p)
    {
        var path = WalletPath(p);
        if (!File.Exists(path))
        {
            throw new WalletCliException(ExitCodes.BadInput, $"No wallet file at '{path}' (create one with: create --wallet {path}).");
        }

        try
        {
            return WalletFile.Load(path);
        }
        catch (WalletFileException e)
        {
            throw new WalletCliException(ExitCodes.BadInput, $"'{path}': {e.Message}", e);
        }
    }

    private PrivateKey Unlock(WalletFile file)
    {
        if (!file.IsEncrypted)
        {
            return file.Unlock();
        }

        var passphrase = _console.GetEnvironmentVariable(PassphraseVariable);
        if (string.IsNullOrEmpty(passphrase))
        {
            if (!_console.CanPrompt)
            {
                throw new WalletCliException(ExitCodes.WrongPassphrase, $"This wallet is encrypted: run on a terminal to be asked for its passphrase, or set {PassphraseVariable}.");
            }

            passphrase = _console.ReadSecret("Passphrase: ");
        }

        try
        {
            return file.Unlock(passphrase);
        }
        catch (WalletFileException e)
        {
            throw new WalletCliException(ExitCodes.WrongPassphrase, "Wrong passphrase (or the wallet file was altered).", e);
        }
    }

    private string NewPassphrase()
    {
        var fromEnvironment = _console.GetEnvironmentVariable(PassphraseVariable);
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return fromEnvironment;
        }

        if (!_console.CanPrompt)
        {
            throw new WalletCliException(ExitCodes.BadInput, $"--passphrase: no terminal to ask on; set {PassphraseVariable} instead.");
        }

        var first = _console.ReadSecret("New passphrase: ");
        if (first.Length == 0)
        {
            throw new WalletCliException(ExitCodes.BadInput, "The passphrase must not be empty.");
        }

        if (_console.ReadSecret("Repeat passphrase: ") != first)
        {
            throw new WalletCliException(ExitCodes.BadInput, "The passphrases do not match; nothing was written.");
        }

        return first;
    }

    private HttpClient NodeHttp(ParseResult p)
    {
        var text = p.GetValue(_node) ?? DefaultNode;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new WalletCliException(ExitCodes.BadInput, $"--node: '{text}' is not an http:// or https:// URL.");
        }

        var baseAddress = uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");
        var http = _nodeHandler is null ? new HttpClient() : new HttpClient(_nodeHandler, disposeHandler: false);
        http.BaseAddress = baseAddress;
        http.Timeout = NodeTimeout;
        return http;
    }

    private static async Task<T> CallNodeAsync<T>(HttpClient http, Func<Task<T>> call, CancellationToken ct)
    {
        var node = http.BaseAddress!.ToString().TrimEnd('/');
        try
        {
            return await call();
        }
        catch (HttpRequestException e)
        {
            throw new WalletCliException(ExitCodes.NodeUnreachable, $"Cannot reach the node at {node}: {e.Message}", e);
        }
        catch (TaskCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new WalletCliException(ExitCodes.NodeUnreachable, $"The node at {node} did not answer within {NodeTimeout.TotalSeconds:0} s.", e);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException)
        {
            throw new WalletCliException(ExitCodes.NodeUnreachable, $"{node} did not answer as a ChainCore node.", e);
        }
        catch (NodeApiException e)
        {
            throw new WalletCliException(ExitCodes.Refused, $"refused by the node ({e.Code}): {e.Detail}", e);
        }
    }

    private static Amount ParseCoins(string flag, string? text)
    {
        if (!Amount.TryParseCoins(text?.Trim(), out var amount, out var error))
        {
            throw new WalletCliException(ExitCodes.BadInput, $"{flag}: {error}");
        }

        return amount;
    }

    private static string Plain(decimal coins) => Amount.FromCoins(coins).ToString();

    private static string Coins(decimal coins, bool signed = false)
    {
        var amount = Amount.FromCoins(coins);
        return signed && amount.Units > 0 ? $"+{amount} CHC" : $"{amount} CHC";
    }
}
