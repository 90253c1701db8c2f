using ChainCore.Core.Mining;

namespace ChainCore.Miner;

/// <summary>The miner's settings: the "Miner" configuration section, which the command line fills.</summary>
public sealed class MinerOptions
{
    public const string Section = "Miner";

    /// <summary>The node's URL.</summary>
    public string Node { get; set; } = "http://127.0.0.1:5000";

    /// <summary>The payout address; or <see cref="Wallet"/>.</summary>
    public string? Address { get; set; }

    /// <summary>A wallet file whose address the blocks pay.</summary>
    public string? Wallet { get; set; }

    /// <summary>Mining threads; 0 means one per core.</summary>
    public int Workers { get; set; }

    /// <summary>Stop after this many seconds and exit 0; 0 means run until stopped.</summary>
    public int Timeout { get; set; }

    /// <summary>The hashing kernel; unset means the widest this CPU accelerates.</summary>
    public KernelWidth? Kernel { get; set; }

    /// <summary>Start mining at start-up (otherwise on POST /start).</summary>
    public bool AutoStart { get; set; } = true;

    /// <summary>Show progress on standard output (a status line on a terminal, one line per event otherwise).</summary>
    public bool Progress { get; set; } = true;

    public int EffectiveWorkers => Workers > 0 ? Workers : Environment.ProcessorCount;
}
