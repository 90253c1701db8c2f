using ChainCore.Core.Wallet;

namespace ChainCore.Wallet;

/// <summary>The wallet command line: create, address, balance, send, history.</summary>
public static class Program
{
    public static Task<int> Main(string[] args) => RunAsync(args, new SystemWalletConsole());

    /// <summary>
    /// Runs one command. <paramref name="nodeHandler"/>, when given, carries every call to the node
    /// (an in-process node in tests); otherwise the wallet connects to <c>--node</c> over the network.
    /// </summary>
    public static Task<int> RunAsync(IReadOnlyList<string> args, IWalletConsole console, HttpMessageHandler? nodeHandler = null, CancellationToken ct = default) =>
        new WalletCommands(console, nodeHandler, KdfCost.Default).RunAsync(args, ct);

    internal static Task<int> RunAsync(IReadOnlyList<string> args, IWalletConsole console, HttpMessageHandler? nodeHandler, KdfCost kdfCost, CancellationToken ct = default) =>
        new WalletCommands(console, nodeHandler, kdfCost).RunAsync(args, ct);
}
