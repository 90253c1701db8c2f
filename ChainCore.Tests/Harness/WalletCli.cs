using ChainCore.Core.Wallet;
using ChainCore.Wallet;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace ChainCore.Tests.Harness;

/// <summary>What one wallet command did: its exit code and what it wrote.</summary>
public sealed record CliRun(int ExitCode, string Out, string Error)
{
    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Out}\nstderr:\n{Error}";
}

/// <summary>A console for the wallet under test: captured output, scripted passphrase answers, its own environment.</summary>
public sealed class TestWalletConsole : IWalletConsole
{
    private readonly Queue<string> _answers = new();

    public StringWriter OutWriter { get; } = new();

    public StringWriter ErrorWriter { get; } = new();

    public TextWriter Out => OutWriter;

    public TextWriter Error => ErrorWriter;

    public bool CanPrompt { get; init; }

    public Dictionary<string, string> Environment { get; } = [];

    public List<string> Prompts { get; } = [];

    public TestWalletConsole Answer(params string[] secrets)
    {
        foreach (var secret in secrets)
        {
            _answers.Enqueue(secret);
        }

        return this;
    }

    public string ReadSecret(string prompt)
    {
        Prompts.Add(prompt);
        return _answers.TryDequeue(out var answer) ? answer : throw new InvalidOperationException($"The wallet asked '{prompt}' and the test has no answer left.");
    }

    public string? GetEnvironmentVariable(string name) => Environment.GetValueOrDefault(name);
}

/// <summary>Runs ChainCore.Wallet's commands in the test process; its calls to the node go to <c>nodeHandler</c>.</summary>
public sealed class WalletCli
{
    public const string PassphraseVariable = "CHAINCORE_WALLET_PASSPHRASE";

    private readonly Func<HttpMessageHandler>? _nodeHandler;
    private readonly bool _ownsHandler;
    private readonly string _directory;

    /// <summary>Calls go to <paramref name="node"/>'s test server; with no node, to the real network (for unreachable nodes).</summary>
    public WalletCli(TestNode? node, string directory)
    {
        _nodeHandler = node is null ? null : () => ((TestServer)node.Services.GetRequiredService<IServer>()).CreateHandler();
        _ownsHandler = true;
        _directory = directory;
    }

    /// <summary>Calls go to <paramref name="nodeHandler"/>, which the caller owns.</summary>
    public WalletCli(HttpMessageHandler nodeHandler, string directory)
    {
        _nodeHandler = () => nodeHandler;
        _directory = directory;
    }

    public string PathOf(string walletName) => System.IO.Path.Combine(_directory, walletName + ".json");

    /// <summary>Runs <paramref name="args"/> with <c>--wallet</c> set to <paramref name="walletName"/>'s file.</summary>
    public Task<CliRun> RunAsync(string walletName, params string[] args) => RunAsync(new TestWalletConsole(), walletName, args);

    public Task<CliRun> RunAsync(TestWalletConsole console, string walletName, params string[] args) =>
        RunWithArgumentsAsync(console, [.. args, "--wallet", PathOf(walletName)]);

    public Task<CliRun> RunAsync(TestWalletConsole console, string walletName, string[] args, CancellationToken ct) =>
        RunWithArgumentsAsync(console, [.. args, "--wallet", PathOf(walletName)], ct);

    /// <summary>Runs exactly <paramref name="args"/> (no <c>--wallet</c> added).</summary>
    public async Task<CliRun> RunWithArgumentsAsync(TestWalletConsole console, string[] args, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(console);
        var handler = _nodeHandler?.Invoke();
        try
        {
            var exit = await Program.RunAsync(args, console, handler, KdfCost.Fast, ct);
            return new CliRun(exit, console.OutWriter.ToString(), console.ErrorWriter.ToString());
        }
        finally
        {
            if (_ownsHandler)
            {
                handler?.Dispose();
            }
        }
    }
}
