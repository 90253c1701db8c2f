using ChainCore.Core.Crypto;
using ChainCore.Core.Wallet;

namespace ChainCore.Miner;

/// <summary>Checks of the miner's settings, each failure one line and exit code 2.</summary>
public static class MinerSetup
{
    public static Address ResolvePayout(MinerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Address is not null && options.Wallet is not null)
        {
            throw new MinerStartupException(ExitCodes.BadInput, "give either --address or --wallet, not both");
        }

        if (options.Wallet is { } path)
        {
            var full = Path.GetFullPath(path);
            if (!File.Exists(full))
            {
                throw new MinerStartupException(ExitCodes.BadInput, $"wallet file not found: {full}");
            }

            try
            {
                return WalletFile.Load(full).Address;
            }
            catch (WalletFileException e)
            {
                throw new MinerStartupException(ExitCodes.BadInput, $"not a usable wallet file: {e.Message}");
            }
        }

        if (options.Address is null)
        {
            throw new MinerStartupException(ExitCodes.BadInput, "give --address or --wallet: where the blocks' rewards go");
        }

        return Address.TryParse(options.Address, out var address)
            ? address
            : throw new MinerStartupException(ExitCodes.BadInput, $"bad --address '{options.Address}': not a ChainCore address (Base58Check, starting with 1)");
    }

    public static Uri ResolveNode(MinerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Uri.TryCreate(options.Node, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? new Uri(uri.ToString().TrimEnd('/') + "/")
            : throw new MinerStartupException(ExitCodes.BadInput, $"bad --node '{options.Node}': give an http:// or https:// URL");
    }
}
