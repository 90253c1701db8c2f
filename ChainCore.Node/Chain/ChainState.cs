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
    private readonly CoinCache _coins = new(MaxCachedCoins);

    // Signature checks started when a block extending the tip was stored, joined when it is connected.
    private readonly Dictionary<Hash256, BlockSignatureCheck> _startedChecks = [];
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

    /// <summary>Coins the writer keeps in memory at most (about 200 bytes each): the outputs of a few dozen full blocks.</summary>
    public const int MaxCachedCoins = 50_000;

    public ConsensusParams Params { get; }

    /// <summary>The best chain as of the last completed activation.</summary>
    public ActiveChain Active => _published;

    public BlockIndexEntry Tip => _published.Height >= 0 ? _published.Tip : throw new InvalidOperationException("The chain is not initialized.");

    public bool IsInitialized => _published.Height >= 0;

    public int OrphanCount => _orphans.Count;

    public long OrphanBytes => _orphans.Bytes;

    /// <summary>Tips a move may go to: the best chain's, and stored ones it does not beat (a block the store failed to connect); the others are dropped.</summary>
    internal int CandidateCount => _candidates.Count;

    /// <summary>Signature checks started for stored blocks and not yet joined or abandoned (none between changes).</summary>
    internal int StartedSignatureChecks => _startedChecks.Count;

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

        // Every valid stored block is a candidate until the activation that follows prunes those the tip beats.
        _chain = _chain.WithTip(tip ?? throw new InvalidOperationException("The database has blocks but no main chain."));
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
    /// goes to the orphan pool. A block nobody asked for (<paramref name="requested"/> false) is
    /// stored only if its branch has more work than the tip, as Bitcoin's <c>AcceptBlock</c>: a
    /// stranger cannot fill the disk with cheap forks.
    /// </summary>
    internal async Task<BlockResult> StoreBlockAsync(Block block, bool requested, CancellationToken ct)
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

        if (!requested && parent.ChainWork + Target.GetBlockWork(block.Header.Bits) <= _chain.Tip.ChainWork)
        {
            return BlockResult.Invalid(hash, ValidationResult.Stale(RejectCodes.LowWork, $"The block's branch has no more work than the tip ({_chain.Tip.Hash}); a block nobody asked for is stored only if it has."));
        }

        var height = parent.Height + 1;
        if (parent == _chain.Tip)
        {
            // It will be connected next unless it fails: its signatures can be checked while it is stored.
            _startedChecks[hash] = _signatures.StartBlock(block);
        }

        try
        {
            await _store.InsertBlockAsync(block, height, ct);
        }
        catch
        {
            if (_startedChecks.Remove(hash, out var started))
            {
                started.Dispose();
            }

            throw;
        }

        var entry = AddEntry(block.Header, hash, parent);
        _candidates.Add(entry);
        _storedThisTurn[hash] = block;

        // Stryker disable once Boolean : the engine answers whether the block became the tip only after activating it
        return new BlockResult(BlockStatus.Accepted, hash, height, false);
    }

    /// <summary>Writer only: makes the writer's chain the one readers see, once the change is complete (mempool included).</summary>
    internal void Publish() => _published = _chain;

    /// <summary>Writer only: orphans waiting for <paramref name="parent"/>, taken out of the pool.</summary>
    internal IReadOnlyList<Block> TakeOrphanChildren(Hash256 parent) => _orphans.TakeChildren(parent);

    /// <summary>
    /// Writer only: moves the tip to the best valid candidate. Not cancellable: once the tip starts
    /// moving it finishes. Each move — the disconnects and connects from the tip to a candidate — is
    /// one store update (<see cref="IChainStore.BeginUpdateAsync"/>), so the store's readers see the
    /// chain before or after a whole reorg, never in between. A block failing validation is marked
    /// invalid with its descendants; a store failure skips that branch for this activation. Either
    /// way the update is rolled back and the next best candidate is tried from the last committed
    /// tip, so the chain settles on the most-work chain it can fully connect — never less than the
    /// old tip. The caller publishes the result (<see cref="Publish"/>).
    /// </summary>
    internal async Task<ActivationOutcome> ActivateBestChainAsync()
    {
        var outcome = new ActivationOutcome(_chain.Tip);
        var failed = new List<BlockIndexEntry>();
        try
        {
            while (true)
            {
                var best = BestCandidate(failed);
                if (best is null || !best.IsBetterThan(_chain.Tip))
                {
                    break;
                }

                var committed = _chain;
                var move = new ActivationOutcome(committed.Tip);
                var stop = await MoveToAsync(best, move);
                if (stop is null)
                {
                    outcome.Disconnected.AddRange(move.Disconnected);
                    outcome.Connected.AddRange(move.Connected);
                    continue;
                }

                // Nothing of this move reached the store: back to the committed tip.
                _chain = committed;
                if (stop.Value.Invalid is { } code)
                {
                    await MarkInvalidAsync(stop.Value.At, code, outcome);
                }
                else
                {
                    failed.Add(stop.Value.At);
                    outcome.StoreFailure ??= move.StoreFailure;
                }
            }
        }
        finally
        {
            _storedThisTurn.Clear();
            foreach (var check in _startedChecks.Values)
            {
                check.Dispose();
            }

            _startedChecks.Clear();
            PruneCandidates();
        }

        if (outcome.StoreFailure is not null)
        {
            _log.LogWarning("The store failed during activation; settled on tip {Hash} at height {Height} (was {OldHash} at {OldHeight})",
                _chain.Tip.Hash, _chain.Tip.Height, outcome.PreviousTip.Hash, outcome.PreviousTip.Height);
        }

        return outcome;
    }

    /// <summary>Where and why a move stopped: a block failing validation (its code), or a store failure (no code) at or below <paramref name="At"/>.</summary>
    private readonly record struct MoveStop(BlockIndexEntry At, string? Invalid);

    /// <summary>
    /// Moves the writer's chain from its tip to <paramref name="target"/> in one store update,
    /// recording what it did in <paramref name="move"/>; null once committed, or where it stopped
    /// (the update rolled back).
    /// </summary>
    private async Task<MoveStop?> MoveToAsync(BlockIndexEntry target, ActivationOutcome move)
    {
        var fork = BlockIndexEntry.FindFork(_chain.Tip, target);
        var branch = target.GetAncestor(fork.Height + 1)!;

        // The coins this update changed, as it left them (null: spent or gone): they override the cache.
        var changes = new Dictionary<OutPoint, Coin?>();
        IChainUpdate? update = null;
        try
        {
            update = await _store.BeginUpdateAsync(CancellationToken.None);
            while (_chain.Tip != fork)
            {
                var entry = _chain.Tip;
                var block = await LoadBlockAsync(entry.Hash);
                var undo = await update.DisconnectBlockAsync(block, entry.Height, CancellationToken.None);
                foreach (var (outPoint, _) in CreatedCoins(block, entry.Height))
                {
                    changes[outPoint] = null;
                }

                var created = block.Transactions.Select(t => t.TxId).ToHashSet();
                foreach (var spent in undo.SpentCoins.Where(s => !created.Contains(s.OutPoint.TxId)))
                {
                    changes[spent.OutPoint] = spent.Coin;
                }

                move.Disconnected.Add((block, entry));
                _chain = _chain.WithTip(entry.Parent!);
            }
        }
        catch (Exception e)
        {
            _log.LogError(e, "The store failed disconnecting down to block {Hash} at height {Height}", fork.Hash, fork.Height);
            move.StoreFailure = e;
            _coins.Clear();
            await EndAsync(update);
            return new MoveStop(branch, null);
        }

        var path = new List<BlockIndexEntry>(target.Height - fork.Height);
        for (var e = target; e != fork; e = e.Parent!)
        {
            path.Add(e);
        }

        path.Reverse();
        foreach (var entry in path)
        {
            var stop = await ConnectAsync(update, entry, changes, move);
            if (stop is not null)
            {
                if (stop.Value.Invalid is null)
                {
                    _coins.Clear();
                }

                await EndAsync(update);
                return stop;
            }
        }

        try
        {
            await update.CommitAsync(CancellationToken.None);
        }
        catch (Exception e)
        {
            _log.LogError(e, "The store failed committing the move to block {Hash} at height {Height}", target.Hash, target.Height);
            move.StoreFailure = e;
            _coins.Clear();
            await EndAsync(update);
            return new MoveStop(branch, null);
        }

        _coins.Apply(changes);
        await EndAsync(update);
        return null;
    }

    /// <summary>
    /// Disposes <paramref name="update"/>, which rolls it back unless it was committed. A failure to
    /// close it is logged, not thrown: what was committed stands, and the writer's chain must be
    /// published with it.
    /// </summary>
    private async Task EndAsync(IChainUpdate? update)
    {
        if (update is null)
        {
            return;
        }

        try
        {
            await update.DisposeAsync();
        }
        catch (Exception e)
        {
            _log.LogError(e, "The store failed closing a chain update");
        }
    }

    /// <summary>
    /// Connects one block inside <paramref name="update"/>. Its signatures are verified on threads of
    /// their own while its coins are read, the other rules checked and its rows written, and this
    /// thread joins them once the rows are written; the block counts as connected only once they
    /// all passed.
    /// </summary>
    private async Task<MoveStop?> ConnectAsync(IChainUpdate update, BlockIndexEntry entry, Dictionary<OutPoint, Coin?> changes, ActivationOutcome move)
    {
        Block block;
        try
        {
            block = await LoadBlockAsync(entry.Hash);
        }
        catch (Exception e)
        {
            _log.LogError(e, "The store failed loading block {Hash} at height {Height}", entry.Hash, entry.Height);
            move.StoreFailure = e;
            return new MoveStop(entry, null);
        }

        // Disposing abandons the checks if a rule or the store failed before their verdict was needed.
        using var signatures = _startedChecks.Remove(entry.Hash, out var started) ? started : _signatures.StartBlock(block);
        ValidationResult result;
        try
        {
            var coins = await ReadCoinsAsync(update, changes, SpentOutPoints(block));
            result = BlockValidator.ConnectBlockExceptSignatures(block, entry.Height, new DictionaryUtxoView(coins), Params, out var undo);
            if (result.IsValid)
            {
                await update.ConnectBlockAsync(block, entry.Height, undo, CancellationToken.None);
                result = signatures.Complete();
                if (result.IsValid)
                {
                    foreach (var spent in undo.SpentCoins)
                    {
                        changes[spent.OutPoint] = null;
                    }

                    foreach (var (outPoint, coin) in CreatedCoins(block, entry.Height))
                    {
                        changes[outPoint] = coin;
                    }
                }
            }
        }
        catch (Exception e)
        {
            _log.LogError(e, "The store failed connecting block {Hash} at height {Height}", entry.Hash, entry.Height);
            move.StoreFailure = e;
            return new MoveStop(entry, null);
        }

        if (!result.IsValid)
        {
            _log.LogWarning("Refused block {Hash} at height {Height}: {Code} ({Category}) {Message}", entry.Hash, entry.Height, result.Code, result.Category, result.Message);
            return new MoveStop(entry, result.Code!);
        }

        _chain = _chain.WithTip(entry);
        move.Connected.Add((block, entry));
        return null;
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

    /// <summary>Drops the candidates the tip beats (less work, or as much but seen later): they can only come back through a new child.</summary>
    private void PruneCandidates()
    {
        var tip = _chain.Tip;
        while (_candidates.Min is { } worst && tip.IsBetterThan(worst))
        {
            _candidates.Remove(worst);
        }
    }

    private async Task<Block> LoadBlockAsync(Hash256 hash) =>
        _storedThisTurn.TryGetValue(hash, out var block)
            ? block
            : await _store.GetBlockAsync(hash, CancellationToken.None) ?? throw new InvalidOperationException($"Block {hash} is in the index but not in the store.");

    /// <summary>The coins <paramref name="outPoints"/> name as <paramref name="update"/> left them: its own changes, then the cache, then the store.</summary>
    private async Task<Dictionary<OutPoint, Coin>> ReadCoinsAsync(IChainUpdate update, Dictionary<OutPoint, Coin?> changes, List<OutPoint> outPoints)
    {
        var coins = new Dictionary<OutPoint, Coin>(outPoints.Count);
        var missing = new List<OutPoint>();
        foreach (var outPoint in outPoints)
        {
            if (changes.TryGetValue(outPoint, out var changed))
            {
                if (changed is not null)
                {
                    coins[outPoint] = changed;
                }
            }
            else if (_coins.TryGet(outPoint, out var cached))
            {
                coins[outPoint] = cached;
            }
            else
            {
                missing.Add(outPoint);
            }
        }

        if (missing.Count > 0)
        {
            foreach (var (outPoint, coin) in await update.GetCoinsAsync(missing, CancellationToken.None))
            {
                coins[outPoint] = coin;
            }
        }

        return coins;
    }

    /// <summary>The outputs <paramref name="block"/> adds to the UTXO set at <paramref name="height"/>.</summary>
    private static IEnumerable<(OutPoint OutPoint, Coin Coin)> CreatedCoins(Block block, int height) =>
        block.Transactions.SelectMany(tx => tx.Outputs.Select((output, i) => (new OutPoint(tx.TxId, (uint)i), new Coin(output, height, tx.IsCoinbase))));

    private static List<OutPoint> SpentOutPoints(Block block) =>
        [.. block.Transactions.Where(tx => !tx.IsCoinbase).SelectMany(tx => tx.Inputs).Select(input => input.PreviousOutput)];

    /// <summary>
    /// Marks <paramref name="failed"/> and, through the children links, every descendant invalid:
    /// O(branch), not O(index × height). The index is marked even if the store cannot record it (the
    /// block would then be checked again after a restart, and refused again).
    /// </summary>
    private async Task MarkInvalidAsync(BlockIndexEntry failed, string reason, ActivationOutcome outcome)
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

        try
        {
            await _store.MarkBlockInvalidAsync(failed.Hash, CancellationToken.None);
        }
        catch (Exception e)
        {
            _log.LogError(e, "The store failed marking block {Hash} invalid", failed.Hash);
            outcome.StoreFailure ??= e;
        }
    }

    /// <summary>Best first when enumerated in reverse: more work, then seen first.</summary>
    private sealed class CandidateOrder : IComparer<BlockIndexEntry>
    {
        public static readonly CandidateOrder Instance = new();

        public int Compare(BlockIndexEntry? x, BlockIndexEntry? y)
        {
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
