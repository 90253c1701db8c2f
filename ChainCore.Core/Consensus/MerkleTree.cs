using ChainCore.Core.Crypto;
using ChainCore.Core.Primitives;

namespace ChainCore.Core.Consensus;

/// <summary>Bitcoin's merkle root: pairs of hashes SHA256d-ed level by level, the last one duplicated on odd levels.</summary>
public static class MerkleTree
{
    public static Hash256 ComputeRoot(IReadOnlyList<Hash256> txids) => ComputeRoot(txids, out _);

    /// <summary>
    /// Also reports <paramref name="mutated"/>: two equal adjacent hashes at some level, the
    /// ambiguity of CVE-2012-2459 that lets a different transaction list give the same root.
    /// </summary>
    public static Hash256 ComputeRoot(IReadOnlyList<Hash256> txids, out bool mutated)
    {
        ArgumentNullException.ThrowIfNull(txids);
        mutated = false;
        if (txids.Count == 0)
        {
            return Hash256.Zero;
        }

        var level = new Hash256[txids.Count];
        for (var i = 0; i < level.Length; i++)
        {
            level[i] = txids[i];
        }

        var count = level.Length;
        Span<byte> pair = stackalloc byte[64];
        Span<byte> hash = stackalloc byte[32];
        while (count > 1)
        {
            var next = 0;
            for (var i = 0; i < count; i += 2)
            {
                var right = i + 1 < count ? i + 1 : i;
                if (right != i && level[i] == level[right])
                {
                    mutated = true;
                }

                level[i].WriteTo(pair);
                level[right].WriteTo(pair[32..]);
                Hashes.Sha256d(pair, hash);
                level[next++] = new Hash256(hash);
            }

            count = next;
        }

        return level[0];
    }

    public static Hash256 ComputeRoot(IReadOnlyList<Transaction> transactions)
    {
        ArgumentNullException.ThrowIfNull(transactions);
        return ComputeRoot(transactions.Select(tx => tx.TxId).ToArray());
    }
}
