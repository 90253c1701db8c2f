using ChainCore.Core.Primitives;

namespace ChainCore.Node.Storage;

/// <summary>The mempool as the node left it at its last clean stop (the <c>mempool</c> table), so a restart loses no transaction.</summary>
public interface IMempoolStore
{
    /// <summary>Replaces what is saved with <paramref name="transactions"/>, in order.</summary>
    Task SaveAsync(IReadOnlyList<Transaction> transactions, CancellationToken ct = default);

    /// <summary>What was saved, in order, and nothing saved afterwards.</summary>
    Task<IReadOnlyList<Transaction>> TakeAsync(CancellationToken ct = default);
}
