namespace ChainCore.Wallet;

/// <summary>The wallet's exit codes, listed in its --help.</summary>
public static class ExitCodes
{
    public const int Success = 0;

    /// <summary>Something unexpected; the message says what.</summary>
    public const int Failure = 1;

    /// <summary>Bad usage or input: unknown flag, bad address or amount, missing or invalid wallet file, a file that exists on create.</summary>
    public const int BadInput = 2;

    /// <summary>The node refused: insufficient funds, or a transaction it does not accept.</summary>
    public const int Refused = 3;

    /// <summary>The node could not be reached, or did not answer as a ChainCore node.</summary>
    public const int NodeUnreachable = 4;

    /// <summary>The wallet is encrypted and the passphrase is wrong or not available.</summary>
    public const int WrongPassphrase = 5;

    public const string Help = """
        Exit codes:
          0  done
          1  unexpected failure
          2  bad usage or input (unknown flag, bad address or amount, missing or invalid wallet file, existing file on create)
          3  refused by the node (insufficient funds, transaction not accepted)
          4  node unreachable
          5  wrong or missing passphrase
        """;
}

/// <summary>A failure with the one line to show and the exit code to return.</summary>
public sealed class WalletCliException(int exitCode, string message, Exception? inner = null) : Exception(message, inner)
{
    public int ExitCode { get; } = exitCode;
}
