namespace ChainCore.Node.Network;

/// <summary>What eviction knows of one inbound peer.</summary>
public sealed record EvictionCandidate(Peer Peer, DateTimeOffset ConnectedSince, TimeSpan? Latency, DateTimeOffset? LastNovelBlock, DateTimeOffset? LastNovelTransaction, string Group);

/// <summary>
/// Which inbound peer makes room for a newcomer when every inbound slot is taken (Bitcoin Core's
/// <c>SelectNodeToEvict</c>, scaled to a small inbound set): protect a few from distinct address
/// groups, a few with the best latency, a few that last sent a novel transaction, a few that last
/// sent a novel block, then half of the rest by time connected; of those left, the group with the
/// most peers gives up its youngest. An attacker must beat honest peers on every one of these at
/// once to keep them out; with nothing left unprotected, the newcomer is refused.
/// </summary>
public static class InboundEviction
{
    public static Peer? Select(IReadOnlyList<EvictionCandidate> inbound, Func<string, ulong> groupKey)
    {
        ArgumentNullException.ThrowIfNull(inbound);
        ArgumentNullException.ThrowIfNull(groupKey);
        var left = inbound.ToList();
        var each = Math.Max(1, inbound.Count / 8);

        // Distinct groups, in an order an outsider cannot predict (the key is this node's secret).
        Protect(left, left.GroupBy(c => c.Group).OrderBy(g => groupKey(g.Key)).Select(g => g.MinBy(c => c.ConnectedSince)!), each);
        Protect(left, left.Where(c => c.Latency is not null).OrderBy(c => c.Latency), each);
        Protect(left, left.Where(c => c.LastNovelTransaction is not null).OrderByDescending(c => c.LastNovelTransaction), each);
        Protect(left, left.Where(c => c.LastNovelBlock is not null).OrderByDescending(c => c.LastNovelBlock), each);
        Protect(left, left.OrderBy(c => c.ConnectedSince), left.Count / 2);
        if (left.Count == 0)
        {
            return null;
        }

        var crowded = left.GroupBy(c => c.Group)
            .OrderByDescending(g => g.Count())
            .ThenByDescending(g => g.Max(c => c.ConnectedSince))
            .First();
        return crowded.MaxBy(c => c.ConnectedSince)!.Peer;
    }

    private static void Protect(List<EvictionCandidate> left, IEnumerable<EvictionCandidate> order, int count)
    {
        foreach (var candidate in order.Take(count).ToList())
        {
            left.Remove(candidate);
        }
    }
}
