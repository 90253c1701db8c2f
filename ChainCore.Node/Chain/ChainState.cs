using System.Collections.Concurrent;
using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;
using ChainCore.Node.Storage;

namespace ChainCore.Node.Chain;

/// <summary>
/// The chain state, as Bitcoin Core's <c>Chainstate</c>: the block index of every stored block (a
/// tree with skip pointers and children links), the set of candidate tips, the active chain as an
/// array by height, the orphan pool, and activation — moving the tip to the best candidate, one
/// store transaction per block. Everything that changes it runs under the engine's one writer;
/// readers use <see cref="Active"/>, which the engine publishes only once an activation and the
/// mempool's update after it completed, so they never see a reorg half-way.
/// </summary>
public sealed class ChainState
{
    private readonly IChainStore _store;
    private readonly TimeProvider _clock;
    private readonly ILogger _log;
    private readonly SignatureVerifier _signatures;
    private readonly ConcurrentDictionary<Hash256, BlockIndexEntry> _index = new();
    private readonly SortedSet<BlockIndexEntry> _candidates = new(CandidateOrder.Instance);
    private readonly OrphanPool _orphans;
    private readonly Dictionary<Hash256, Block> _storedThisTurn = [];
    private long _sequence;
    private ActiveChain _chain = ActiveChain.Empty;
    private volatile ActiveChain _published = ActiveChain.Empty;

    public ChainState(IChainStore store, ConsensusParams consensus, TimeProvider clock, int maxOrphans, long maxOrphanBytes, SignatureVerifier signatures, ILogger log)
    {
        _signatures = signatures;
        _store = store;
        Params = consensus;
        _clock = clock;
        _orphans = new OrphanPool(maxOrphans, maxOrphanBytes);
        _log = log;
    }

    public ConsensusParams Params { get; }

    /// <summary>The best chain as of the last completed activation.</summary>
    public ActiveChain Active => _published;

    public BlockIndexEntry Tip => _published.Height >= 0 ? _published.Tip : throw new InvalidOperationException("The chain is not initialized.");

    public bool IsInitialized => _published.Height >= 0;

    public int OrphanCount => _orphans.Count;

    public long OrphanBytes => _orphans.Bytes;

    public BlockIndexEntry? GetEntry(Hash256 hash) => _index.GetValueOrDefault(hash);

    /// <summary>O(1): whether <paramref name="entry"/> is on the best chain.</summary>
    public bool IsOnMainChain(BlockIndexEntry entry) => _published.Contains(entry);

    /// <summary>The writer's tip, which moves during an activation (writer only).</summary>
    internal BlockIndexEntry WriterTip => _chain.Tip;

    internal static ChainContext ContextFor(BlockIndexEntry parent) => new(
        parent.Height,
        parent.Header.Bits,
        parent.MedianTimePast(),
        height => parent.GetAncestor(height)!.Header.Time);

    /// <summary>Writer only: creates or migrates the schema, rebuilds the index, resumes at the stored tip.</summary>
    internal async Task<ActivationOutcome> InitializeAsync(CancellationToken ct)
    {
        await _store.InitializeAsync(ct);
        var headers = await _store.LoadBlockIndexAsync(ct);
        if (headers.Count == 0)
        {
            var genesis = Params.Genesis;
            await _store.InsertBlockAsync(genesis, 0, ct);
            await _store.ConnectBlockAsync(genesis, 0, BlockUndo.Empty, ct);
            var entry = AddEntry(genesis.Header, genesis.Hash, parent: null);
            _candidates.Add(entry);
            _chain = _chain.WithTip(entry);
            _published = _chain;
            _log.LogInformation("New chain on {Network}: genesis {Hash}", Params.Name, genesis.Hash);
            return new ActivationOutcome(entry);
        }

        RebuildIndex(headers);
        _published = _chain;
        _log.LogInformation("Resumed {Network} chain at height {Height}, tip {Hash}", Params.Name, Tip.Height, Tip.Hash);

        // A stored branch may have more work than the stored tip (a stop between storing and connecting).
        return await ActivateBestChainAsync();
    }

    private void RebuildIndex(IReadOnlyList<StoredHeader> headers)
    {
        BlockIndexEntry? tip = null;
        foreach (var stored in headers.OrderBy(h => h.Height))
        {
            BlockIndexEntry? parent = null;
            if (stored.Height > 0 && !_index.TryGetValue(stored.Header.PreviousHash, out parent))
            {
                throw new InvalidOperationException($"Stored block {stored.Hash} at height {stored.Height} has no stored parent: the database is damaged.");
            }

            if (stored.Height == 0 && stored.Hash != Params.GenesisHash)
            {
                throw new InvalidOperationException(
                    $"The database holds a chain whose genesis {stored.Hash} is not {Params.Name}'s ({Params.GenesisHash}); use another database or data directory.");
            }

            var entry = AddEntry(stored.Header, stored.Hash, parent);
            if (stored.IsInvalid || parent?.IsInvalid == true)
            {
                entry.InvalidReason = stored.IsInvalid ? "invalid" : RejectCodes.BadPrevBlock;
            }
            else
            {
                _candidates.Add(entry);
            }

            if (stored.OnMainChain && (tip is null || entry.Height > tip.Height))
            {
                tip = entry;
            }
        }

        _chain = _chain.WithTip(tip ?? throw new InvalidOperationException("The database has blocks but no main chain."));
        PruneCandidates();
    }

    private BlockIndexEntry AddEntry(BlockHeader header, Hash256 hash, BlockIndexEntry? parent)
    {
        var entry = new BlockIndexEntry(header, hash, parent, Interlocked.Increment(ref _sequence));
        parent?.AddChild(entry);
        _index[hash] = entry;
        return entry;
    }

    /// <summary>
    /// Writer only: checks a block alone and against its parent and stores it in the index (not
    /// connected yet: see <see cref="ActivateBestChainAsync"/>). A block whose parent is unknown
    /// goes to the orphan pool.
    /// </summary>
    internal async Task<BlockResult> StoreBlockAsync(Block block, CancellationToken ct)
    {
        var hash = block.Hash;
        if (_index.TryGetValue(hash, out var known))
        {
            return known.IsInvalid
                ? new BlockResult(BlockStatus.Invalid, hash, known.Height, false, ValidationResult.Invalid(known.InvalidReason!, "The block is known to be invalid."))
                : new BlockResult(BlockStatus.Duplicate, hash, known.Height, false, ValidationResult.Duplicate(RejectCodes.DuplicateBlock, "The block is already known."));
        }

        if (_orphans.Contains(hash))
        {
            return new BlockResult(BlockStatus.Duplicate, hash, null, false, ValidationResult.Duplicate(RejectCodes.DuplicateBlock, "The block is already waiting for its parent."));
        }

        var check = BlockValidator.CheckBlock(block, Params);
        if (!check.IsValid)
        {
            return BlockResult.Invalid(hash, check);
        }

        if (!_index.TryGetValue(block.Header.PreviousHash, out var parent))
        {
            _orphans.Add(block);
            return new BlockResult(BlockStatus.Orphan, hash, null, false, ValidationResult.MissingInputs(RejectCodes.BadPrevBlock, $"Parent {block.Header.PreviousHash} is unknown."));
        }

        if (parent.IsInvalid)
        {
            return BlockResult.Invalid(hash, ValidationResult.Invalid(RejectCodes.BadPrevBlock, $"Parent {parent.Hash} is invalid."));
        }

        var header = BlockValidator.ContextualCheckHeader(block.Header, ContextFor(parent), _clock.GetUtcNow(), Params);
        if (!header.IsValid)
        {
            return BlockResult.Invalid(hash, header);
        }

        var height = parent.Height + 1;
        await _store.InsertBlockAsync(block, height, ct);
        var entry = AddEntry(block.Header, hash, parent);
        _candidates.Add(entry);
        _storedThisTurn[hash] = block;
        return new BlockResult(BlockStatus.Accepted, hash, height, false);
    }

    /// <summary>Writer only: makes the writer's chain the one readers see, once the change is complete (mempool included).</summary>
    internal void Publish() => _published = _chain;

    /// <summary>Writer only: orphans waiting for <paramref name="parent"/>, taken out of the pool.</summary>
    internal IReadOnlyList<Block> TakeOrphanChildren(Hash256 parent) => _orphans.TakeChildren(parent);

    /// <summary>
    /// Writer only: moves the tip to the best valid candidate. Not cancellable: once the tip starts
    /// moving it finishes. A block failing validation is marked invalid with its descendants and the
    /// next best candidate is tried; a store failure skips that branch for this activation, so the
    /// chain settles on the most-work chain it can fully connect — never less than the old tip, whose
    /// blocks are reconnected if needed. The caller publishes the result (<see cref="Publish"/>).
    /// </summary>
    internal async Task<ActivationOutcome> ActivateBestChainAsync()
    {
        var ct = CancellationToken.None;
        var outcome = new ActivationOutcome(_chain.Tip);
        var failed = new List<BlockIndexEntry>();
        try
        {
            while (true)
            {
                var tip = _chain.Tip;
                var best = BestCandidate(failed);
                if (best is null || best == tip || !best.IsBetterThan(tip))
                {
                    break;
                }

                var fork = BlockIndexEntry.FindFork(tip, best);
                if (!await DisconnectToAsync(fork, outcome))
                {
                    failed.Add(best.GetAncestor(fork.Height + 1)!);
                    continue;
                }

                var path = new List<BlockIndexEntry>(best.Height - fork.Height);
                for (var e = best; e != fork; e = e.Parent!)
                {
                    path.Add(e);
                }

                path.Reverse();
                foreach (var entry in path)
                {
                    var step = await ConnectAsync(entry, outcome, ct);
                    if (step == ConnectStep.StoreFailed)
                    {
                        failed.Add(entry);
                        break;
                    }

                    if (step == ConnectStep.Invalid)
                    {
                        break;
                    }
                }
            }
        }
        finally
        {
            _storedThisTurn.Clear();
            PruneCandidates();
        }

        if (outcome.StoreFailure is not null)
        {
            _log.LogWarning("The store failed during activation; settled on tip {Hash} at height {Height} (was {OldHash} at {OldHeight})",
                _chain.Tip.Hash, _chain.Tip.Height, outcome.PreviousTip.Hash, outcome.PreviousTip.Height);
        }

        return outcome;
    }

    private async Task<bool> DisconnectToAsync(BlockIndexEntry fork, ActivationOutcome outcome)
    {
        while (_chain.Tip != fork)
        {
            var entry = _chain.Tip;
            try
            {
                var block = await LoadBlockAsync(entry.Hash);
                await _store.DisconnectBlockAsync(block, entry.Height, CancellationToken.None);
                outcome.Disconnected.Add((block, entry));
            }
            catch (Exception e)
            {
                _log.LogError(e, "The store failed disconnecting block {Hash} at height {Height}", entry.Hash, entry.Height);
                outcome.StoreFailure ??= e;
                return false;
            }

            _chain = _chain.WithTip(entry.Parent!);
        }

        return true;
    }

    private enum ConnectStep
    {
        Connected,
        Invalid,
        StoreFailed,
    }

    private async Task<ConnectStep> ConnectAsync(BlockIndexEntry entry, ActivationOutcome outcome, CancellationToken ct)
    {
        Block block;
        BlockUndo undo;
        try
        {
            block = await LoadBlockAsync(entry.Hash);
            var coins = await _store.GetCoinsAsync(SpentOutPoints(block), ct);
            var result = BlockValidator.ConnectBlock(block, entry.Height, new DictionaryUtxoView(coins), Params, out undo, _signatures);
            if (!result.IsValid)
            {
                _log.LogWarning("Refused block {Hash} at height {Height}: {Code} ({Category}) {Message}", entry.Hash, entry.Height, result.Code, result.Category, result.Message);
                await MarkInvalidAsync(entry, result.Code!);
                return ConnectStep.Invalid;
            }

            await _store.ConnectBlockAsync(block, entry.Height, undo, ct);
        }
        catch (Exception e)
        {
            _log.LogError(e, "The store failed connecting block {Hash} at height {Height}", entry.Hash, entry.Height);
            outcome.StoreFailure ??= e;
            return ConnectStep.StoreFailed;
        }

        _chain = _chain.WithTip(entry);
        outcome.Connected.Add((block, entry));
        return ConnectStep.Connected;
    }

    private BlockIndexEntry? BestCandidate(List<BlockIndexEntry> failed)
    {
        foreach (var candidate in _candidates.Reverse())
        {
            if (!candidate.IsInvalid && !failed.Any(candidate.Descends))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Drops candidates with less work than the tip: they can only come back through a new child.</summary>
    private void PruneCandidates()
    {
        var tip = _chain.Tip;
        while (_candidates.Count > 0 && _candidates.Min is { } worst && worst != tip && tip.IsBetterThan(worst))
        {
            _candidates.Remove(worst);
        }
    }

    private async Task<Block> LoadBlockAsync(Hash256 hash) =>
        _storedThisTurn.TryGetValue(hash, out var block)
            ? block
            : await _store.GetBlockAsync(hash, CancellationToken.None) ?? throw new InvalidOperationException($"Block {hash} is in the index but not in the store.");

    private static List<OutPoint> SpentOutPoints(Block block) =>
        [.. block.Transactions.Where(tx => !tx.IsCoinbase).SelectMany(tx => tx.Inputs).Select(input => input.PreviousOutput)];

    /// <summary>Marks <paramref name="failed"/> and, through the children links, every descendant invalid: O(branch), not O(index × height).</summary>
    private async Task MarkInvalidAsync(BlockIndexEntry failed, string reason)
    {
        failed.InvalidReason = reason;
        _candidates.Remove(failed);
        var queue = new Queue<BlockIndexEntry>(failed.Children);
        while (queue.TryDequeue(out var entry))
        {
            entry.InvalidReason = RejectCodes.BadPrevBlock;
            _candidates.Remove(entry);
            foreach (var child in entry.Children)
            {
                queue.Enqueue(child);
            }
        }

        await _store.MarkBlockInvalidAsync(failed.Hash, CancellationToken.None);
    }

    /// <summary>Best first when enumerated in reverse: more work, then seen first.</summary>
    private sealed class CandidateOrder : IComparer<BlockIndexEntry>
    {
        public static readonly CandidateOrder Instance = new();

        public int Compare(BlockIndexEntry? x, BlockIndexEntry? y)
        {
            if (ReferenceEquals(x, y))
            {
                return 0;
            }

            var byWork = x!.ChainWork.CompareTo(y!.ChainWork);
            return byWork != 0 ? byWork : y.Sequence.CompareTo(x.Sequence);
        }
    }
}

/// <summary>What one activation did: blocks disconnected (newest first) and connected (oldest first), and the first store failure if any.</summary>
internal sealed class ActivationOutcome(BlockIndexEntry previousTip)
{
    public BlockIndexEntry PreviousTip { get; } = previousTip;

    public List<(Block Block, BlockIndexEntry Entry)> Disconnected { get; } = [];

    public List<(Block Block, BlockIndexEntry Entry)> Connected { get; } = [];

    public Exception? StoreFailure { get; set; }

    public bool Changed => Disconnected.Count > 0 || Connected.Count > 0;
}
