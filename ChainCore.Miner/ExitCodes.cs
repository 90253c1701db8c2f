namespace ChainCore.Miner;

/// <summary>The miner's exit codes, listed in its --help.</summary>
public static class ExitCodes
{
    /// <summary>Stopped as asked: --timeout reached, Ctrl-C, or a signal to stop.</summary>
    public const int Success = 0;

    public const int Failure = 1;

    /// <summary>Bad usage or input: unknown flag, bad value, bad address, missing or invalid wallet file, unreachable node.</summary>
    public const int BadInput = 2;

    public const string Help = """
        Exit codes:
          0  stopped as asked (--timeout reached, Ctrl-C)
          1  unexpected failure
          2  bad usage or input: unknown flag, bad value, bad address, missing or invalid wallet file, node unreachable
        """;
}

/// <summary>A start-up failure with the one line to show and the exit code to return.</summary>
public sealed class MinerStartupException(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
