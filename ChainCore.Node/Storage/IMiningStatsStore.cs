using ChainCore.Core.Primitives;

namespace ChainCore.Node.Storage;

/// <summary>Blocks this node mined or accepted from its miners (the <c>mining_stats</c> table).</summary>
public interface IMiningStatsStore
{
    /// <summary>Records a mined block; recording the same block again changes nothing.</summary>
    Task RecordMinedBlockAsync(MiningStat stat, CancellationToken ct = default);

    /// <summary>The latest <paramref name="limit"/> records, highest first.</summary>
    Task<IReadOnlyList<MiningStat>> GetMiningStatsAsync(int limit, CancellationToken ct = default);

    /// <summary>Blocks and rewards per miner address, most blocks first.</summary>
    Task<IReadOnlyList<MinerTotals>> GetMinerTotalsAsync(CancellationToken ct = default);
}

public sealed record MiningStat(Hash256 BlockHash, int Height, string MinerAddress, Amount Reward, DateTimeOffset MinedAt);

public sealed record MinerTotals(string MinerAddress, int Blocks, Amount Rewards, int LastHeight);
