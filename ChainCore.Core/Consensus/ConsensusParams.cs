using System.Numerics;
using ChainCore.Core.Primitives;

namespace ChainCore.Core.Consensus;

/// <summary>The rules that differ between networks. Presets: <see cref="Main"/>, <see cref="Devnet"/>, <see cref="Regtest"/>.</summary>
public sealed record ConsensusParams
{
    public required string Name { get; init; }

    public required uint PowLimitBits { get; init; }

    public BigInteger PowLimit => Target.FromCompact(PowLimitBits);

    /// <summary>Seconds between blocks the retarget aims for.</summary>
    public required long TargetSpacing { get; init; }

    public required int RetargetInterval { get; init; }

    public long TargetTimespan => TargetSpacing * RetargetInterval;

    public bool NoRetargeting { get; init; }

    public required int CoinbaseMaturity { get; init; }

    public required int HalvingInterval { get; init; }

    public int MaxBlockSize { get; init; } = 1_000_000;

    /// <summary>How far a block's time may run ahead of the node's clock.</summary>
    public long MaxFutureBlockTime { get; init; } = 2 * 60 * 60;

    /// <summary>Built by <see cref="GenesisBlock.Create"/> from the network's fixed fields, checked by a test.</summary>
    public required Block Genesis { get; init; }

    public Hash256 GenesisHash => Genesis.Hash;

    public static ConsensusParams Main { get; } = new()
    {
        Name = "main",
        PowLimitBits = 0x1d00ffff,
        TargetSpacing = 600,
        RetargetInterval = 2016,
        CoinbaseMaturity = 100,
        HalvingInterval = 210_000,
        Genesis = GenesisBlock.Create("main", time: GenesisBlock.MainTime, bits: 0x1d00ffff, nonce: GenesisBlock.MainNonce),
    };

    public static ConsensusParams Devnet { get; } = new()
    {
        Name = "devnet",
        PowLimitBits = 0x1f00ffff,
        TargetSpacing = 10,
        RetargetInterval = 30,
        CoinbaseMaturity = 10,
        HalvingInterval = 210_000,
        Genesis = GenesisBlock.Create("devnet", time: GenesisBlock.DevnetTime, bits: 0x1f00ffff, nonce: GenesisBlock.DevnetNonce),
    };

    public static ConsensusParams Regtest { get; } = new()
    {
        Name = "regtest",
        PowLimitBits = 0x207fffff,
        TargetSpacing = 1,
        RetargetInterval = 2016,
        NoRetargeting = true,
        CoinbaseMaturity = 100,
        HalvingInterval = 150,
        Genesis = GenesisBlock.Create("regtest", time: GenesisBlock.RegtestTime, bits: 0x207fffff, nonce: GenesisBlock.RegtestNonce),
    };

    public static IReadOnlyList<ConsensusParams> All { get; } = [Main, Devnet, Regtest];

    public static ConsensusParams FromName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return TryFromName(name, out var p) ? p : throw new ArgumentException($"Unknown network '{name}'. Known: main, devnet, regtest.", nameof(name));
    }

    public static bool TryFromName(string? name, out ConsensusParams p)
    {
        p = All.FirstOrDefault(n => string.Equals(n.Name, name, StringComparison.OrdinalIgnoreCase))!;
        return p is not null;
    }

    public override string ToString() => Name;
}
