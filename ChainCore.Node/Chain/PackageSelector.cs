using ChainCore.Node.Mempool;

namespace ChainCore.Node.Chain;

/// <summary>
/// Chooses the mempool's transactions for a block, as Bitcoin Core's <c>BlockAssembler::addPackageTxs</c>:
/// by ancestor-package fee rate, the best package (a transaction with its ancestors not yet chosen)
/// goes in whole, parents before children; the packages of the chosen transactions' descendants are
/// then re-scored without them. Works on a <see cref="MempoolGraph"/> copied from the pool, so the
/// pool's lock is held only for the copy. Linear in the pool, times the package limits.
/// </summary>
public static class PackageSelector
{
    // Bitcoin's BlockAssembler: when this many packages in a row did not fit and the block is nearly full, stop.
    private const int MaxConsecutiveFailures = 1_000;
    private const int NearlyFullBytes = 4_000;

    /// <summary>Transactions for a block within <paramref name="maxBytes"/>, in block order.</summary>
    public static IReadOnlyList<MempoolEntry> Select(MempoolGraph pool, int maxBytes)
    {
        ArgumentNullException.ThrowIfNull(pool);
        var nodes = pool.Nodes;
        var byScore = new int[nodes.Length];
        var scores = new FeeRate[nodes.Length];
        for (var i = 0; i < nodes.Length; i++)
        {
            byScore[i] = i;
            scores[i] = nodes[i].AncestorScore(nodes[i].AncestorFees, nodes[i].AncestorSize);
        }

        Array.Sort(scores, byScore, Comparer<FeeRate>.Create(static (x, y) => y.CompareTo(x)));
        // Equal scores: oldest first, then by txid, so the choice is deterministic.
        var oldestFirst = Comparer<int>.Create((x, y) => OldestFirst(nodes[x], nodes[y]));
        for (var start = 0; start < byScore.Length;)
        {
            var end = start + 1;
            while (end < byScore.Length && scores[end].CompareTo(scores[start]) == 0)
            {
                end++;
            }

            if (end - start > 1)
            {
                Array.Sort(byScore, start, end - start, oldestFirst);
            }

            start = end;
        }

        var rank = new int[nodes.Length];
        var keys = new MiningKey[nodes.Length];
        for (var i = 0; i < byScore.Length; i++)
        {
            var node = nodes[byScore[i]];
            rank[byScore[i]] = i;
            keys[i] = new MiningKey(node.AncestorCount, i, node.AncestorSize, node.AncestorFees, scores[i]);
        }

        var selected = new List<MempoolEntry>();
        var included = new HashSet<int>();
        var failed = new HashSet<int>();
        // Bitcoin's mapModifiedTx: entries some of whose ancestors are in, with what remains of their package.
        var modified = new Dictionary<int, MiningKey>();
        var modifiedQueue = new PriorityQueue<int, MiningKey>(MiningKey.BestFirst);
        var leaving = new Dictionary<int, (int Count, long Size, long Fees)>();
        var bytes = 0L;
        var next = 0;
        var consecutiveFailures = 0;
        while (true)
        {
            while (next < byScore.Length && (included.Contains(byScore[next]) || failed.Contains(byScore[next]) || modified.ContainsKey(byScore[next])))
            {
                next++;
            }

            while (modifiedQueue.TryPeek(out var top, out var queued) && (!modified.TryGetValue(top, out var current) || current != queued))
            {
                modifiedQueue.Dequeue();
            }

            var fromQueue = modifiedQueue.TryPeek(out var queuedEntry, out var queuedKey);
            if (next >= byScore.Length && !fromQueue)
            {
                break;
            }

            fromQueue = fromQueue && (next >= byScore.Length || MiningKey.BestFirst.Compare(queuedKey, keys[next]) < 0);
            var (candidate, package) = fromQueue ? (queuedEntry, queuedKey) : (byScore[next], keys[next]);
            if (fromQueue)
            {
                modifiedQueue.Dequeue();
                modified.Remove(candidate);
            }
            else
            {
                next++;
            }

            if (bytes + package.Size > maxBytes)
            {
                failed.Add(candidate);
                if (++consecutiveFailures > MaxConsecutiveFailures && bytes > maxBytes - NearlyFullBytes)
                {
                    break;
                }

                continue;
            }

            consecutiveFailures = 0;
            List<int> members = [candidate];
            if (package.Count > 1)
            {
                members.AddRange(Walk(nodes, [candidate], static n => n.Parents, exclude: included));
                members.Sort((a, b) => nodes[a].AncestorCount != nodes[b].AncestorCount ? nodes[a].AncestorCount.CompareTo(nodes[b].AncestorCount) : OldestFirst(nodes[a], nodes[b]));
            }

            foreach (var member in members)
            {
                selected.Add(nodes[member].Entry);
                included.Add(member);
                modified.Remove(member);
            }

            bytes += package.Size;

            // What remains of each descendant's package: one update per descendant and package, not per pair.
            leaving.Clear();
            foreach (var member in members)
            {
                var node = nodes[member];
                if (node.Children.Length == 0)
                {
                    continue;
                }

                foreach (var descendant in Walk(nodes, [member], static n => n.Children, exclude: included))
                {
                    var (count, size, fees) = leaving.GetValueOrDefault(descendant);
                    leaving[descendant] = (count + 1, size + node.Size, fees + node.Fee);
                }
            }

            foreach (var (descendant, gone) in leaving)
            {
                var before = modified.TryGetValue(descendant, out var known) ? known : keys[rank[descendant]];
                var (count, size, fees) = (before.Count - gone.Count, before.Size - gone.Size, before.Fees - gone.Fees);
                var after = new MiningKey(count, rank[descendant], size, fees, nodes[descendant].AncestorScore(fees, size));
                modified[descendant] = after;
                modifiedQueue.Enqueue(descendant, after);
            }
        }

        return selected;
    }

    /// <summary>
    /// Everything reachable from <paramref name="from"/> over <paramref name="links"/>; entries in
    /// <paramref name="exclude"/> are walked through but not returned.
    /// </summary>
    private static HashSet<int> Walk(MempoolGraph.Node[] nodes, int[] from, Func<MempoolGraph.Node, int[]> links, HashSet<int> exclude)
    {
        var found = new HashSet<int>();
        HashSet<int>? walkedThrough = null;
        var stack = new Stack<int>();
        foreach (var start in from)
        {
            foreach (var next in links(nodes[start]))
            {
                stack.Push(next);
            }
        }

        while (stack.TryPop(out var index))
        {
            if (exclude.Contains(index))
            {
                if (!(walkedThrough ??= []).Add(index))
                {
                    continue;
                }
            }
            else if (!found.Add(index))
            {
                continue;
            }

            foreach (var next in links(nodes[index]))
            {
                stack.Push(next);
            }
        }

        return found;
    }

    private static int OldestFirst(MempoolGraph.Node x, MempoolGraph.Node y) =>
        x.Sequence != y.Sequence ? x.Sequence.CompareTo(y.Sequence) : x.TxId.CompareTo(y.TxId);

    /// <summary>
    /// What remains of an entry's ancestor package, and its place in mining order: best ancestor score
    /// first; on a tie the earlier rank (the oldest, then the lowest txid).
    /// </summary>
    private readonly record struct MiningKey(int Count, int Rank, long Size, long Fees, FeeRate Score)
    {
        public static Comparer<MiningKey> BestFirst { get; } = Comparer<MiningKey>.Create(static (x, y) =>
        {
            var byScore = y.Score.CompareTo(x.Score);
            return byScore != 0 ? byScore : x.Rank.CompareTo(y.Rank);
        });
    }
}
