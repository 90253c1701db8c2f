using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;

namespace ChainCore.Node.Mempool;

/// <summary>
/// The mempool's data, as Bitcoin's <c>CTxMemPool</c>: unconfirmed transactions, which outpoint each
/// spends, the in-mempool parents and children of each, and each entry's ancestor and descendant
/// package (count, bytes, fees) kept exact on every add and remove. Transactions are validated by the
/// acceptor before they come here; this class applies the mempool's own policy (package limits, size
/// bound with all-or-nothing eviction, the rolling minimum fee rate that evictions raise), keeps the
/// collections consistent, and answers readers under a short lock of its own. Choosing a block's
/// transactions is not its job: <see cref="Chain.PackageSelector"/> works on a copy (<see cref="Graph"/>).
/// </summary>
/// <param name="clock">Times the decay of the rolling minimum fee rate (<see cref="MinimumFeePerKb"/>).</param>
public sealed class TransactionPool(int maxTransactions, int maxBytes, MempoolLimits? limits = null, TimeProvider? clock = null) : IMempoolView
{
    private readonly Lock _sync = new();
    private readonly Dictionary<Hash256, PoolEntry> _entries = [];
    private readonly Dictionary<OutPoint, PoolEntry> _spenders = [];
    private readonly SortedSet<PoolEntry> _byDescendantScore = new(EvictionOrder.Instance);
    private readonly RollingMinimumFee _minimumFee = new(
        (limits ?? MempoolLimits.Default).IncrementalRelayFeePerKb, clock ?? TimeProvider.System, RollingMinimumFee.HalfLifeFor(0, maxBytes));
    private long _sequence;
    private int _bytes;

    public MempoolLimits Limits { get; } = limits ?? MempoolLimits.Default;

    public int Count
    {
        get { lock (_sync) { return _entries.Count; } }
    }

    public int Bytes
    {
        get { lock (_sync) { return _bytes; } }
    }

    /// <summary>
    /// The rolling minimum fee rate, units per 1,000 bytes, as Bitcoin's <c>GetMinFee</c>: zero until a
    /// package is evicted for room; then that package's fee rate plus
    /// <see cref="MempoolLimits.IncrementalRelayFeePerKb"/>, decaying once a block has come (see
    /// <see cref="RollingMinimumFee"/>). The acceptor refuses a transaction paying less.
    /// </summary>
    public long MinimumFeePerKb
    {
        get { lock (_sync) { return _minimumFee.Current(); } }
    }

    public bool Contains(Hash256 txId)
    {
        lock (_sync)
        {
            return _entries.ContainsKey(txId);
        }
    }

    public MempoolEntry? Get(Hash256 txId)
    {
        lock (_sync)
        {
            return _entries.GetValueOrDefault(txId)?.Entry;
        }
    }

    /// <summary>The entry's ancestor and descendant package, or null if it is not pooled.</summary>
    public MempoolPackageState? GetPackageState(Hash256 txId)
    {
        lock (_sync)
        {
            return _entries.TryGetValue(txId, out var node) ? node.State : null;
        }
    }

    /// <summary>The pooled transaction spending <paramref name="outPoint"/>, if any.</summary>
    public Hash256? GetSpender(OutPoint outPoint)
    {
        lock (_sync)
        {
            return _spenders.TryGetValue(outPoint, out var spender) ? spender.TxId : null;
        }
    }

    /// <summary>An output created by a pooled transaction.</summary>
    public TxOut? GetOutput(OutPoint outPoint)
    {
        lock (_sync)
        {
            return _entries.TryGetValue(outPoint.TxId, out var node) && outPoint.Index < node.Entry.Transaction.Outputs.Length
                ? node.Entry.Transaction.Outputs[(int)outPoint.Index]
                : null;
        }
    }

    public IReadOnlyList<MempoolEntry> Snapshot()
    {
        lock (_sync)
        {
            return [.. _entries.Values.Select(n => n.Entry).OrderBy(e => e.Sequence)];
        }
    }

    public long NextSequence() => Interlocked.Increment(ref _sequence);

    /// <summary>
    /// The mempool's package policy on <paramref name="tx"/> against what is pooled now: at most
    /// <see cref="MempoolLimits.MaxAncestors"/> unconfirmed ancestors (itself included) and, for each of
    /// them, at most <see cref="MempoolLimits.MaxDescendants"/> descendants once it is added.
    /// </summary>
    public ValidationResult CheckPackageLimits(Transaction tx)
    {
        ArgumentNullException.ThrowIfNull(tx);
        lock (_sync)
        {
            return CheckLimits(tx, out _);
        }
    }

    /// <summary>
    /// Adds a transaction the acceptor validated (neither pooled already nor spending what a pooled one
    /// spends: that is the acceptor's check, and a caller's bug here) if the mempool's policy allows it:
    /// package limits first, then, if the mempool is full, room made by evicting cheaper packages.
    /// Nothing changes unless it is added.
    /// </summary>
    public ValidationResult TryAdd(MempoolEntry entry) => TryAdd(entry, out _);

    /// <inheritdoc cref="TryAdd(MempoolEntry)"/>
    /// <param name="entry">The validated transaction.</param>
    /// <param name="evicted">What was evicted to make room (with descendants); empty when refused.</param>
    public ValidationResult TryAdd(MempoolEntry entry, out IReadOnlyList<Hash256> evicted)
    {
        ArgumentNullException.ThrowIfNull(entry);
        evicted = [];
        lock (_sync)
        {
            ThrowIfPooledOrConflicting(entry);
            var limits = CheckLimits(entry.Transaction, out var ancestors);
            if (!limits.IsValid)
            {
                return limits;
            }

            var victims = PlanEviction(entry, ancestors, out var packages);
            if (victims is null)
            {
                return ValidationResult.Policy(
                    RejectCodes.MempoolFull,
                    "The mempool is full, and making room would evict transactions paying at least this one's fee rate, or its own ancestors.");
            }

            foreach (var (fees, size) in packages)
            {
                _minimumFee.PackageEvicted(fees, size);
            }

            evicted = RemoveStaged(victims);
            Insert(entry);
            return ValidationResult.Ok;
        }
    }

    /// <summary>
    /// Evicts until the pool is within its bounds again, lowest descendant score first with all
    /// descendants, as Bitcoin's <c>TrimToSize</c>: for after <see cref="Add"/> took transactions of
    /// disconnected blocks past the bounds. Each evicted package raises <see cref="MinimumFeePerKb"/>.
    /// Returns what was evicted.
    /// </summary>
    public IReadOnlyList<Hash256> TrimToSize()
    {
        lock (_sync)
        {
            var evicted = new List<Hash256>();
            while ((_entries.Count > maxTransactions || _bytes > maxBytes) && _byDescendantScore.Min is { } lowest)
            {
                _minimumFee.PackageEvicted(lowest.DescendantFees, lowest.DescendantSize);
                evicted.AddRange(RemoveStaged(WithDescendants([lowest])));
            }

            return evicted;
        }
    }

    /// <summary>
    /// Adds a validated transaction without the mempool's size bound or package limits, as Bitcoin
    /// does for transactions of disconnected blocks (they were mined once); <see cref="TrimToSize"/>
    /// restores the bounds afterwards. Everything else goes through <see cref="TryAdd(MempoolEntry)"/>.
    /// A transaction already pooled, or spending an outpoint a pooled one spends, is a caller's bug.
    /// </summary>
    public void Add(MempoolEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        lock (_sync)
        {
            ThrowIfPooledOrConflicting(entry);
            Insert(entry);
        }
    }

    /// <summary>
    /// Removes what a newly connected block confirmed (their in-mempool descendants stay, now spending
    /// confirmed outputs), then every pooled transaction spending an outpoint the block spent, with its descendants.
    /// The rolling minimum fee rate may decay from now on.
    /// </summary>
    public IReadOnlyList<Hash256> RemoveForBlock(Block block)
    {
        ArgumentNullException.ThrowIfNull(block);
        lock (_sync)
        {
            var confirmed = new List<PoolEntry>();
            foreach (var tx in block.Transactions)
            {
                if (_entries.TryGetValue(tx.TxId, out var node))
                {
                    confirmed.Add(node);
                }
            }

            var removed = new List<Hash256>(RemoveStaged(confirmed));
            var conflicts = new List<PoolEntry>();
            foreach (var tx in block.Transactions.Where(t => !t.IsCoinbase))
            {
                foreach (var input in tx.Inputs)
                {
                    if (_spenders.TryGetValue(input.PreviousOutput, out var conflict))
                    {
                        conflicts.Add(conflict);
                    }
                }
            }

            removed.AddRange(RemoveStaged(WithDescendants(conflicts)));
            _minimumFee.BlockConnected();
            return removed;
        }
    }

    public IReadOnlyList<Hash256> RemoveWithDescendants(Hash256 txId)
    {
        lock (_sync)
        {
            return _entries.TryGetValue(txId, out var node) ? RemoveStaged(WithDescendants([node])) : [];
        }
    }

    /// <summary>
    /// The pooled entries with their in-mempool links and ancestor packages, copied under the lock:
    /// what <see cref="Chain.PackageSelector"/> chooses a block's transactions from.
    /// </summary>
    public MempoolGraph Graph()
    {
        lock (_sync)
        {
            var pooled = _entries.Values.ToArray();
            for (var i = 0; i < pooled.Length; i++)
            {
                pooled[i].GraphIndex = i;
            }

            var nodes = new MempoolGraph.Node[pooled.Length];
            for (var i = 0; i < pooled.Length; i++)
            {
                var node = pooled[i];
                nodes[i] = new MempoolGraph.Node(
                    node.Entry, node.AncestorCount, node.AncestorSize, node.AncestorFees,
                    GraphIndexes(node.Parents), GraphIndexes(node.Children));
            }

            return new MempoolGraph(nodes);
        }

        static int[] GraphIndexes(HashSet<PoolEntry> links)
        {
            if (links.Count == 0)
            {
                return [];
            }

            var indexes = new int[links.Count];
            var i = 0;
            foreach (var link in links)
            {
                indexes[i++] = link.GraphIndex;
            }

            return indexes;
        }
    }

    /// <summary>The pool's own consistency: one entry per txid, one spender per outpoint. The acceptor refuses both before a transaction comes here.</summary>
    private void ThrowIfPooledOrConflicting(MempoolEntry entry)
    {
        if (_entries.ContainsKey(entry.TxId))
        {
            throw new InvalidOperationException($"Transaction {entry.TxId} is already in the mempool.");
        }

        foreach (var input in entry.Transaction.Inputs)
        {
            if (_spenders.TryGetValue(input.PreviousOutput, out var spender))
            {
                throw new InvalidOperationException($"Output {input.PreviousOutput} is already spent by {spender.TxId} in the mempool.");
            }
        }
    }

    private HashSet<PoolEntry> ParentsOf(Transaction tx)
    {
        var parents = new HashSet<PoolEntry>();
        foreach (var input in tx.Inputs)
        {
            if (_entries.TryGetValue(input.PreviousOutput.TxId, out var parent))
            {
                parents.Add(parent);
            }
        }

        return parents;
    }

    private HashSet<PoolEntry> ChildrenOf(Transaction tx)
    {
        var children = new HashSet<PoolEntry>();
        var txId = tx.TxId;
        for (var i = 0; i < tx.Outputs.Length; i++)
        {
            if (_spenders.TryGetValue(new OutPoint(txId, (uint)i), out var child))
            {
                children.Add(child);
            }
        }

        return children;
    }

    private ValidationResult CheckLimits(Transaction tx, out HashSet<PoolEntry> ancestors)
    {
        var size = tx.SerializedSize;
        var limits = Limits;
        ancestors = WithAncestors(ParentsOf(tx));
        var ancestorSize = size + ancestors.Sum(a => (long)a.Size);
        if (ancestors.Count + 1 > limits.MaxAncestors || ancestorSize > limits.MaxAncestorBytes)
        {
            return TooLongChain(
                $"The transaction would have {ancestors.Count + 1} unconfirmed ancestors of {ancestorSize} bytes, itself included; at most {limits.MaxAncestors} of {limits.MaxAncestorBytes}.");
        }

        // Pooled children exist only for a transaction returning from a disconnected block.
        var descendants = WithDescendants(ChildrenOf(tx)).ToHashSet();
        if (descendants.Count == 0)
        {
            foreach (var ancestor in ancestors)
            {
                if (ancestor.DescendantCount + 1 > limits.MaxDescendants || ancestor.DescendantSize + size > limits.MaxDescendantBytes)
                {
                    return TooLongChain(
                        $"Its ancestor {ancestor.TxId} would have {ancestor.DescendantCount + 1} descendants of {ancestor.DescendantSize + size} bytes, itself included; at most {limits.MaxDescendants} of {limits.MaxDescendantBytes}.");
                }
            }

            return ValidationResult.Ok;
        }

        var descendantSize = size + descendants.Sum(d => (long)d.Size);
        if (descendants.Count + 1 > limits.MaxDescendants || descendantSize > limits.MaxDescendantBytes)
        {
            return TooLongChain($"The transaction would have {descendants.Count + 1} descendants of {descendantSize} bytes, itself included; at most {limits.MaxDescendants} of {limits.MaxDescendantBytes}.");
        }

        foreach (var ancestor in ancestors)
        {
            var joined = Descendants([ancestor]);
            joined.UnionWith(descendants);
            joined.Add(ancestor);
            var count = joined.Count + 1;
            var bytes = joined.Sum(d => (long)d.Size) + size;
            if (count > limits.MaxDescendants || bytes > limits.MaxDescendantBytes)
            {
                return TooLongChain($"Its ancestor {ancestor.TxId} would have {count} descendants of {bytes} bytes, itself included; at most {limits.MaxDescendants} of {limits.MaxDescendantBytes}.");
            }
        }

        foreach (var descendant in descendants)
        {
            var joined = Ancestors([descendant]);
            joined.UnionWith(ancestors);
            joined.Add(descendant);
            var count = joined.Count + 1;
            var bytes = joined.Sum(a => (long)a.Size) + size;
            if (count > limits.MaxAncestors || bytes > limits.MaxAncestorBytes)
            {
                return TooLongChain($"Its descendant {descendant.TxId} would have {count} unconfirmed ancestors of {bytes} bytes, itself included; at most {limits.MaxAncestors} of {limits.MaxAncestorBytes}.");
            }
        }

        return ValidationResult.Ok;

        static ValidationResult TooLongChain(string message) => ValidationResult.Policy(RejectCodes.TooLongMempoolChain, message);
    }

    /// <summary>
    /// Decides, before anything is removed, what must go for <paramref name="candidate"/> to fit: whole
    /// packages (a transaction with all its descendants) by lowest descendant score first, as Bitcoin's
    /// <c>TrimToSize</c>, never an ancestor of the candidate. Null if the candidate cannot fit without
    /// evicting an ancestor or a package whose score is not below the candidate's ancestor score.
    /// <paramref name="packages"/>: the fees and size of each package as it is evicted.
    /// </summary>
    private HashSet<PoolEntry>? PlanEviction(MempoolEntry candidate, HashSet<PoolEntry> ancestors, out List<(long Fees, long Size)> packages)
    {
        var victims = new HashSet<PoolEntry>();
        packages = [];
        var countToFree = (long)_entries.Count + 1 - maxTransactions;
        var bytesToFree = (long)_bytes + candidate.Size - maxBytes;
        if (countToFree <= 0 && bytesToFree <= 0)
        {
            return victims;
        }

        if (candidate.Size > maxBytes || maxTransactions < 1)
        {
            return null;
        }

        var candidateScore = FeeRate.Min(
            new FeeRate(candidate.Fee.Units, candidate.Size),
            new FeeRate(candidate.Fee.Units + ancestors.Sum(a => a.Fee), candidate.Size + ancestors.Sum(a => (long)a.Size)));

        // Entries with planned descendants: their descendant package shrinks, so their score changes.
        // They leave the index's order and go to a queue under their current score (stale keys skipped).
        var adjusted = new Dictionary<PoolEntry, (long Fees, long Size)>();
        var adjustedQueue = new PriorityQueue<PoolEntry, EvictionKey>(EvictionOrder.Instance);
        using var index = _byDescendantScore.GetEnumerator();
        var indexHasNext = index.MoveNext();
        while (countToFree > 0 || bytesToFree > 0)
        {
            while (indexHasNext && (victims.Contains(index.Current) || ancestors.Contains(index.Current) || adjusted.ContainsKey(index.Current)))
            {
                indexHasNext = index.MoveNext();
            }

            while (adjustedQueue.TryPeek(out var top, out var key) && (victims.Contains(top) || key.Score != CurrentScore(top)))
            {
                adjustedQueue.Dequeue();
            }

            var fromQueue = adjustedQueue.TryPeek(out var queued, out var queuedKey);
            if (!indexHasNext && !fromQueue)
            {
                return null;
            }

            var indexKey = indexHasNext ? EvictionKey.Of(index.Current, index.Current.EvictionScore) : default;
            fromQueue = fromQueue && (!indexHasNext || EvictionOrder.Instance.Compare(queuedKey, indexKey) < 0);
            var (victim, victimKey) = fromQueue ? (queued!, queuedKey) : (index.Current, indexKey);
            if (victimKey.Score.CompareTo(candidateScore) >= 0)
            {
                return null;
            }

            packages.Add(fromQueue ? adjusted[victim] : (victim.DescendantFees, victim.DescendantSize));

            foreach (var removed in WithDescendants([victim]))
            {
                if (!victims.Add(removed))
                {
                    continue;
                }

                countToFree--;
                bytesToFree -= removed.Size;
                foreach (var ancestor in Ancestors([removed], exclude: victims))
                {
                    if (ancestors.Contains(ancestor))
                    {
                        continue;
                    }

                    var (fees, size) = adjusted.TryGetValue(ancestor, out var state) ? state : (ancestor.DescendantFees, ancestor.DescendantSize);
                    adjusted[ancestor] = (fees - removed.Fee, size - removed.Size);
                    adjustedQueue.Enqueue(ancestor, EvictionKey.Of(ancestor, CurrentScore(ancestor)));
                }
            }
        }

        return victims;

        FeeRate CurrentScore(PoolEntry node)
        {
            var (fees, size) = adjusted[node];
            return node.DescendantScore(fees, size);
        }
    }

    private void Insert(MempoolEntry entry)
    {
        var node = new PoolEntry(entry);
        foreach (var parent in ParentsOf(entry.Transaction))
        {
            node.Parents.Add(parent);
            parent.Children.Add(node);
        }

        foreach (var child in ChildrenOf(entry.Transaction))
        {
            node.Children.Add(child);
            child.Parents.Add(node);
        }

        _entries.Add(node.TxId, node);
        foreach (var input in entry.Transaction.Inputs)
        {
            _spenders[input.PreviousOutput] = node;
        }

        _bytes += node.Size;
        _minimumFee.SetHalfLife(RollingMinimumFee.HalfLifeFor(_bytes, maxBytes));
        var ancestors = Ancestors([node]);
        if (node.Children.Count == 0)
        {
            // Bitcoin's UpdateAncestorsOf: the new entry joins each ancestor's descendant package.
            node.AncestorCount += ancestors.Count;
            node.AncestorSize += ancestors.Sum(a => (long)a.Size);
            node.AncestorFees += ancestors.Sum(a => a.Fee);
            foreach (var ancestor in ancestors)
            {
                SetDescendantState(ancestor, ancestor.DescendantCount + 1, ancestor.DescendantSize + node.Size, ancestor.DescendantFees + node.Fee);
            }

            node.EvictionScore = node.DescendantScore(node.DescendantFees, node.DescendantSize);
            _byDescendantScore.Add(node);
            return;
        }

        // A transaction returning from a disconnected block under pooled children (Bitcoin's
        // UpdateTransactionsFromBlock): every package through it changes; recount them from the links.
        node.EvictionScore = node.DescendantScore(node.DescendantFees, node.DescendantSize);
        _byDescendantScore.Add(node);
        var affected = Descendants([node]);
        affected.UnionWith(ancestors);
        affected.Add(node);
        foreach (var member in affected)
        {
            Recount(member);
        }
    }

    private void Recount(PoolEntry node)
    {
        var ancestors = Ancestors([node]);
        node.AncestorCount = ancestors.Count + 1;
        node.AncestorSize = node.Size + ancestors.Sum(a => (long)a.Size);
        node.AncestorFees = node.Fee + ancestors.Sum(a => a.Fee);
        var descendants = Descendants([node]);
        SetDescendantState(node, descendants.Count + 1, node.Size + descendants.Sum(d => (long)d.Size), node.Fee + descendants.Sum(d => d.Fee));
    }

    /// <summary>Changes a descendant package and refiles the entry under its new eviction score.</summary>
    private void SetDescendantState(PoolEntry node, int count, long size, long fees)
    {
        _byDescendantScore.Remove(node);
        node.DescendantCount = count;
        node.DescendantSize = size;
        node.DescendantFees = fees;
        node.EvictionScore = node.DescendantScore(fees, size);
        _byDescendantScore.Add(node);
    }

    /// <summary>
    /// Removes a set of entries, as Bitcoin's <c>RemoveStaged</c>: first every remaining ancestor and
    /// descendant of each removed entry forgets it (while the links still show who they are), then the links go.
    /// </summary>
    private List<Hash256> RemoveStaged(IReadOnlyCollection<PoolEntry> staged)
    {
        var set = staged as HashSet<PoolEntry> ?? [.. staged];
        foreach (var node in set)
        {
            foreach (var ancestor in Ancestors([node], exclude: set))
            {
                SetDescendantState(ancestor, ancestor.DescendantCount - 1, ancestor.DescendantSize - node.Size, ancestor.DescendantFees - node.Fee);
            }

            foreach (var descendant in Descendants([node], exclude: set))
            {
                descendant.AncestorCount--;
                descendant.AncestorSize -= node.Size;
                descendant.AncestorFees -= node.Fee;
            }
        }

        var removed = new List<Hash256>(set.Count);
        foreach (var node in staged.Distinct())
        {
            foreach (var parent in node.Parents)
            {
                parent.Children.Remove(node);
            }

            foreach (var child in node.Children)
            {
                child.Parents.Remove(node);
            }

            _byDescendantScore.Remove(node);
            _entries.Remove(node.TxId);
            _bytes -= node.Size;
            foreach (var input in node.Entry.Transaction.Inputs)
            {
                if (_spenders.TryGetValue(input.PreviousOutput, out var spender) && spender == node)
                {
                    _spenders.Remove(input.PreviousOutput);
                }
            }

            removed.Add(node.TxId);
        }

        _minimumFee.SetHalfLife(RollingMinimumFee.HalfLifeFor(_bytes, maxBytes));
        return removed;
    }

    /// <summary>The given entries and all their descendants.</summary>
    private static List<PoolEntry> WithDescendants(IEnumerable<PoolEntry> roots)
    {
        var seen = new HashSet<PoolEntry>();
        var ordered = new List<PoolEntry>();
        var queue = new Queue<PoolEntry>();
        foreach (var root in roots)
        {
            if (seen.Add(root))
            {
                queue.Enqueue(root);
            }
        }

        while (queue.TryDequeue(out var next))
        {
            ordered.Add(next);
            foreach (var child in next.Children)
            {
                if (seen.Add(child))
                {
                    queue.Enqueue(child);
                }
            }
        }

        return ordered;
    }

    /// <summary>The given entries and all their ancestors.</summary>
    private static HashSet<PoolEntry> WithAncestors(IEnumerable<PoolEntry> roots)
    {
        var found = Ancestors(roots);
        found.UnionWith(roots);
        return found;
    }

    /// <summary>All in-mempool ancestors of <paramref name="from"/> (not the entries themselves unless one descends from another).</summary>
    private static HashSet<PoolEntry> Ancestors(IEnumerable<PoolEntry> from, HashSet<PoolEntry>? exclude = null) =>
        Walk(from, static n => n.Parents, exclude);

    private static HashSet<PoolEntry> Descendants(IEnumerable<PoolEntry> from, HashSet<PoolEntry>? exclude = null) =>
        Walk(from, static n => n.Children, exclude);

    /// <summary>
    /// Everything reachable over <paramref name="links"/>; entries in <paramref name="exclude"/> are
    /// walked through but not returned.
    /// </summary>
    private static HashSet<PoolEntry> Walk(IEnumerable<PoolEntry> from, Func<PoolEntry, HashSet<PoolEntry>> links, HashSet<PoolEntry>? exclude)
    {
        var found = new HashSet<PoolEntry>();
        HashSet<PoolEntry>? walkedThrough = null;
        Stack<PoolEntry>? stack = null;
        foreach (var start in from)
        {
            foreach (var next in links(start))
            {
                (stack ??= new Stack<PoolEntry>()).Push(next);
            }
        }

        while (stack is not null && stack.TryPop(out var node))
        {
            if (exclude is not null && exclude.Contains(node))
            {
                if (!(walkedThrough ??= []).Add(node))
                {
                    continue;
                }
            }
            else if (!found.Add(node))
            {
                continue;
            }

            foreach (var next in links(node))
            {
                stack.Push(next);
            }
        }

        return found;
    }

    /// <summary>An entry's place in eviction order: lowest descendant score first; on a tie the newest first.</summary>
    private readonly record struct EvictionKey(FeeRate Score, long Sequence, Hash256 TxId)
    {
        public static EvictionKey Of(PoolEntry node, FeeRate score) => new(score, node.Sequence, node.TxId);
    }

    private sealed class EvictionOrder : IComparer<PoolEntry>, IComparer<EvictionKey>
    {
        public static EvictionOrder Instance { get; } = new();

        public int Compare(PoolEntry? x, PoolEntry? y) =>
            ReferenceEquals(x, y) ? 0 : Compare(EvictionKey.Of(x!, x!.EvictionScore), EvictionKey.Of(y!, y!.EvictionScore));

        public int Compare(EvictionKey x, EvictionKey y)
        {
            var byScore = x.Score.CompareTo(y.Score);
            if (byScore != 0)
            {
                return byScore;
            }

            var bySequence = y.Sequence.CompareTo(x.Sequence);
            return bySequence != 0 ? bySequence : x.TxId.CompareTo(y.TxId);
        }
    }
}
