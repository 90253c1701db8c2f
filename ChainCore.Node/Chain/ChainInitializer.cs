using ChainCore.Core.Primitives;
using ChainCore.Node.Mempool;
using ChainCore.Node.Storage;

namespace ChainCore.Node.Chain;

/// <summary>
/// Loads the chain from the store before the node serves requests (hosted services start before the
/// server), then offers the mempool saved at the last clean stop to the mempool again; at a stop, after
/// the network has stopped, saves the mempool (Bitcoin Core's mempool.dat): a restart loses no transaction.
/// </summary>
public sealed class ChainInitializer(ChainEngine chain, IMempoolView mempool, IMempoolStore saved, ILogger<ChainInitializer> log) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await chain.InitializeAsync(cancellationToken);
        var transactions = await saved.TakeAsync(cancellationToken);
        if (transactions.Count == 0)
        {
            return;
        }

        // In the order they were saved (parents first); a child refused before its parent is tried once more.
        var missing = new List<Transaction>();
        var accepted = 0;
        foreach (var tx in transactions)
        {
            var result = await chain.AcceptTransactionAsync(tx, cancellationToken);
            accepted += result.Accepted ? 1 : 0;
            if (!result.Accepted && result.Validation.Category == Core.Consensus.ValidationCategory.MissingInputs)
            {
                missing.Add(tx);
            }
        }

        foreach (var tx in missing)
        {
            accepted += (await chain.AcceptTransactionAsync(tx, cancellationToken)).Accepted ? 1 : 0;
        }

        log.LogInformation("Mempool restored: {Accepted} of the {Saved} transactions saved at the last stop", accepted, transactions.Count);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (!chain.IsInitialized)
        {
            return;
        }

        var pooled = mempool.Snapshot().OrderBy(e => e.Sequence).Select(e => e.Transaction).ToList();
        try
        {
            await saved.SaveAsync(pooled, cancellationToken);
            log.LogInformation("Mempool saved: {Count} transactions", pooled.Count);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogWarning("Could not save the mempool ({Count} transactions): {Reason}", pooled.Count, e.Message);
        }
    }
}
