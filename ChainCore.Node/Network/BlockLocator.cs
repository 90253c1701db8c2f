using ChainCore.Core.Primitives;
using ChainCore.Node.Chain;

namespace ChainCore.Node.Network;

/// <summary>
/// Bitcoin's block locator: the hashes of the tip, the nine blocks below it, then blocks ever
/// further apart (the step doubling), and always the genesis block — so a peer finds the last
/// block both chains share in a few dozen hashes, however long the chains are.
/// </summary>
public static class BlockLocator
{
    /// <summary>Hashes a locator may hold at most (Bitcoin's <c>MAX_LOCATOR_SZ</c>).</summary>
    public const int MaxEntries = 101;

    /// <summary>Headers answered at most per request (Bitcoin's <c>MAX_HEADERS_RESULTS</c>).</summary>
    public const int MaxHeaders = 2_000;

    public static IReadOnlyList<Hash256> Build(ActiveChain chain)
    {
        ArgumentNullException.ThrowIfNull(chain);
        var hashes = new List<Hash256>(32);
        var step = 1;
        for (var height = chain.Height; height > 0; height -= step)
        {
            hashes.Add(chain[height]!.Hash);
            if (hashes.Count >= 10)
            {
                step *= 2;
            }
        }

        if (chain.Height >= 0)
        {
            hashes.Add(chain[0]!.Hash);
        }

        return hashes;
    }

    /// <summary>The highest block of <paramref name="chain"/> the locator names (the fork point); the genesis block when it names none.</summary>
    public static BlockIndexEntry FindFork(ActiveChain chain, IEnumerable<Hash256> locator, Func<Hash256, BlockIndexEntry?> lookup)
    {
        ArgumentNullException.ThrowIfNull(chain);
        ArgumentNullException.ThrowIfNull(locator);
        ArgumentNullException.ThrowIfNull(lookup);
        foreach (var hash in locator)
        {
            if (lookup(hash) is { } entry && chain.Contains(entry))
            {
                return entry;
            }
        }

        return chain[0]!;
    }

    /// <summary>The headers of <paramref name="chain"/> after <paramref name="fork"/>, oldest first, up to <paramref name="max"/>.</summary>
    public static IReadOnlyList<BlockHeader> HeadersAfter(ActiveChain chain, BlockIndexEntry fork, int max = MaxHeaders)
    {
        ArgumentNullException.ThrowIfNull(chain);
        ArgumentNullException.ThrowIfNull(fork);
        var last = Math.Min(chain.Height, fork.Height + max);
        var headers = new List<BlockHeader>(Math.Max(0, last - fork.Height));
        for (var height = fork.Height + 1; height <= last; height++)
        {
            headers.Add(chain[height]!.Header);
        }

        return headers;
    }
}
