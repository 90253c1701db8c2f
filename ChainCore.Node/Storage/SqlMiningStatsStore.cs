using ChainCore.Core.Primitives;

namespace ChainCore.Node.Storage;

/// <summary>The <c>mining_stats</c> table of a <see cref="SqlChainStore"/>'s database.</summary>
internal sealed class SqlMiningStatsStore(SqlChainStore database) : IMiningStatsStore
{
    public async Task RecordMinedBlockAsync(MiningStat stat, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(stat);
        using var _ = await database.EnterWriteAsync(ct);
        await using var connection = await database.OpenAsync(ct);
        await database.ExecuteAsync(connection, null,
            "insert into mining_stats (block_hash, height, miner_address, reward, mined_at) values (@hash, @height, @miner, @reward, @at) on conflict (block_hash) do nothing",
            ct, ("hash", stat.BlockHash.ToBytes()), ("height", stat.Height), ("miner", stat.MinerAddress), ("reward", stat.Reward.Units), ("at", stat.MinedAt.ToUnixTimeSeconds()));
    }

    public async Task<IReadOnlyList<MiningStat>> GetMiningStatsAsync(int limit, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        await using var connection = await database.OpenAsync(ct);
        await using var command = database.Command(connection, null,
            "select block_hash, height, miner_address, reward, mined_at from mining_stats order by height desc limit @limit", ("limit", limit));
        await using var reader = await command.ExecuteReaderAsync(ct);
        var stats = new List<MiningStat>();
        while (await reader.ReadAsync(ct))
        {
            stats.Add(new MiningStat(new Hash256((byte[])reader[0]), reader.GetInt32(1), reader.GetString(2), new Amount(reader.GetInt64(3)), DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(4))));
        }

        return stats;
    }

    public async Task<IReadOnlyList<MinerTotals>> GetMinerTotalsAsync(CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = database.Command(connection, null,
            "select miner_address, count(*), sum(reward), max(height) from mining_stats group by miner_address order by count(*) desc, miner_address");
        await using var reader = await command.ExecuteReaderAsync(ct);
        var totals = new List<MinerTotals>();
        while (await reader.ReadAsync(ct))
        {
            totals.Add(new MinerTotals(reader.GetString(0), (int)reader.GetInt64(1), new Amount(reader.GetInt64(2)), reader.GetInt32(3)));
        }

        return totals;
    }
}
