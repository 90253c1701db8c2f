using ChainCore.Core.Primitives;

namespace ChainCore.Node.Storage;

/// <summary>The <c>mempool</c> table of a <see cref="SqlChainStore"/>'s database.</summary>
internal sealed class SqlMempoolStore(SqlChainStore database) : IMempoolStore
{
    public async Task SaveAsync(IReadOnlyList<Transaction> transactions, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(transactions);
        using var _ = await database.EnterWriteAsync(ct);
        await using var connection = await database.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await database.ExecuteAsync(connection, tx, "delete from mempool", ct);
        for (var i = 0; i < transactions.Count; i++)
        {
            await database.ExecuteAsync(connection, tx, "insert into mempool (position, raw) values (@position, @raw)", ct, ("position", i), ("raw", transactions[i].Serialize()));
        }

        await tx.CommitAsync(ct);
    }

    public async Task<IReadOnlyList<Transaction>> TakeAsync(CancellationToken ct = default)
    {
        using var _ = await database.EnterWriteAsync(ct);
        await using var connection = await database.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var transactions = new List<Transaction>();
        await using (var command = database.Command(connection, tx, "select raw from mempool order by position"))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                transactions.Add(Transaction.Parse((byte[])reader.GetValue(0)));
            }
        }

        await database.ExecuteAsync(connection, tx, "delete from mempool", ct);
        await tx.CommitAsync(ct);
        return transactions;
    }
}
