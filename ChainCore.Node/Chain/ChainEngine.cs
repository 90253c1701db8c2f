using System.Collections.Concurrent;
using System.Collections.Immutable;
using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;
using ChainCore.Node.Mempool;
using ChainCore.Node.Storage;

namespace ChainCore.Node.Chain;

/// <summary>
/// The node's chain: the block index of every stored block, the best chain's tip, the orphan pool
/// and the mempool. Writes (blocks, transactions) take one lock, so there is one writer at a time;
/// readers use <see cref="Tip"/> and the store and never wait longer than one block connect.
/// Every connect or disconnect is one store transaction, and the in-memory tip moves only after it
/// committed, so the tip always matches the store.
/// </summary>
public sealed class ChainEngine : IDisposable
{
    private readonly IChainStore _store;
    private readonly TimeProvider _clock;
    private readonly ILogger<ChainEngine> _log;
    private readonly SemaphoreSlim _writer = new(1, 1);
    private readonly ConcurrentDictionary<Hash256, BlockIndexEntry> _index = new();
    private readonly OrphanPool _orphans;
    private readonly long _minRelayFeePerKb;
    private long _sequence;
    private volatile BlockIndexEntry? _tip;

    // The block being accepted, so connecting it does not read back what was just written (writer only).
    private Block? _justStored;

    public ChainEngine(IChainStore store, ConsensusParams consensus, TransactionPool mempool, TimeProvider clock, long minRelayFeePerKb, int maxOrphans, ILogger<ChainEngine> log)
    {
        _store = store;
        Params = consensus;
        Mempool = mempool;
        _clock = clock;
        _minRelayFeePerKb = minRelayFeePerKb;
        _orphans = new OrphanPool(maxOrphans);
        _log = log;
    }

    public ConsensusParams Params { get; }

    public TransactionPool Mempool { get; }

    public IChainStore Store => _store;

    public BlockIndexEntry Tip => _tip ?? throw new InvalidOperationException("The chain is not initialized.");

    public bool IsInitialized => _tip is not null;

    public int OrphanCount => _orphans.Count;

    /// <summary>After the best chain moved. Handlers run on the writer's path: keep them quick.</summary>
    public event Action<ChainChanged>? ChainChanged;

    /// <summary>After a transaction entered the mempool.</summary>
    public event Action<Transaction>? TransactionAccepted;

    public BlockIndexEntry? GetEntry(Hash256 hash) => _index.GetValueOrDefault(hash);

    public bool IsOnMainChain(BlockIndexEntry entry) => Tip.GetAncestor(entry.Height) == entry;

    /// <summary>Creates or migrates the schema, rebuilds the block index from the store and resumes at the stored tip.</summary>
    public async Task InitializeAsync(CancellationToken ct = default)
    {
        await _writer.WaitAsync(ct);
        try
        {
            await _store.InitializeAsync(ct);
            var headers = await _store.LoadBlockIndexAsync(ct);
            if (headers.Count == 0)
            {
                var genesis = Params.Genesis;
                await _store.InsertBlockAsync(genesis, 0, ct);
                await _store.ConnectBlockAsync(genesis, 0, BlockUndo.Empty, ct);
                _tip = AddEntry(genesis.Header, genesis.Hash, parent: null);
                _log.LogInformation("New chain on {Network}: genesis {Hash}", Params.Name, genesis.Hash);
                return;
            }

            RebuildIndex(headers);
            _log.LogInformation("Resumed {Network} chain at height {Height}, tip {Hash}", Params.Name, Tip.Height, Tip.Hash);

            // A stored branch may have more work than the stored tip (a stop between storing and connecting).
            await ActivateBestChainAsync(ct);
        }
        finally
        {
            _writer.Release();
        }
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
                entry.InvalidReason = "invalid";
            }

            if (stored.OnMainChain && (tip is null || entry.Height > tip.Height))
            {
                tip = entry;
            }
        }

        _tip = tip ?? throw new InvalidOperationException("The database has blocks but no main chain.");
    }

    private BlockIndexEntry AddEntry(BlockHeader header, Hash256 hash, BlockIndexEntry? parent)
    {
        var entry = new BlockIndexEntry(header, hash, parent, Interlocked.Increment(ref _sequence));
        _index[hash] = entry;
        return entry;
    }

    /// <summary>
    /// Checks, stores and if it makes the best chain connects a block; then any orphans it was
    /// waiting for. A block whose parent is unknown goes to the orphan pool.
    /// </summary>
    public async Task<BlockResult> ProcessBlockAsync(Block block, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(block);
        await _writer.WaitAsync(ct);
        try
        {
            var result = await AcceptBlockAsync(block, ct);
            if (result.Status == BlockStatus.Accepted)
            {
                await ProcessOrphansAsync(block.Hash, ct);
                var entry = _index[block.Hash];
                result = result with { BecameTip = IsOnMainChain(entry) };
            }

            return result;
        }
        finally
        {
            _writer.Release();
        }
    }

    private async Task<BlockResult> AcceptBlockAsync(Block block, CancellationToken ct)
    {
        var hash = block.Hash;
        if (_index.TryGetValue(hash, out var known))
        {
            return known.IsInvalid
                ? new BlockResult(BlockStatus.Invalid, hash, known.Height, false, ValidationResult.Invalid(known.InvalidReason!, "The block is known to be invalid."))
                : new BlockResult(BlockStatus.Duplicate, hash, known.Height, false, ValidationResult.Duplicate(RejectCodes.DuplicateBlock, "The block is already known."));
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

        var context = ChainContextFor(parent);
        var header = BlockValidator.ContextualCheckHeader(block.Header, context, _clock.GetUtcNow(), Params);
        if (!header.IsValid)
        {
            return BlockResult.Invalid(hash, header);
        }

        var height = parent.Height + 1;
        await _store.InsertBlockAsync(block, height, ct);
        var entry = AddEntry(block.Header, hash, parent);
        _justStored = block;
        try
        {
            await ActivateBestChainAsync(ct);
        }
        finally
        {
            _justStored = null;
        }

        if (entry.IsInvalid)
        {
            return new BlockResult(BlockStatus.Invalid, hash, height, false, ValidationResult.Invalid(entry.InvalidReason!, $"The block failed validation: {entry.InvalidReason}."));
        }

        return new BlockResult(BlockStatus.Accepted, hash, height, IsOnMainChain(entry));
    }

    private static ChainContext ChainContextFor(BlockIndexEntry parent) => new(
        parent.Height,
        parent.Header.Bits,
        parent.MedianTimePast(),
        height => parent.GetAncestor(height)!.Header.Time);

    private async Task ProcessOrphansAsync(Hash256 parentHash, CancellationToken ct)
    {
        var queue = new Queue<Hash256>([parentHash]);
        while (queue.TryDequeue(out var parent))
        {
            foreach (var orphan in _orphans.TakeChildren(parent))
            {
                var result = await AcceptBlockAsync(orphan, ct);
                if (result.Status == BlockStatus.Accepted)
                {
                    queue.Enqueue(orphan.Hash);
                }
            }
        }
    }

    /// <summary>Moves the tip to the valid branch with the most work (ties: first seen), one store transaction per block.</summary>
    private async Task ActivateBestChainAsync(CancellationToken ct)
    {
        while (true)
        {
            var tip = Tip;
            var best = _index.Values.Where(e => !e.IsInvalid).Aggregate((a, b) => b.IsBetterThan(a) ? b : a);
            // More work wins; on equal work the block seen first (as Bitcoin's sequence ids).
            if (best == tip || (!tip.IsInvalid && !best.IsBetterThan(tip)))
            {
                return;
            }

            var fork = BlockIndexEntry.FindFork(tip, best);
            var disconnected = new List<Block>();
            while (Tip != fork)
            {
                var block = await LoadBlockAsync(Tip.Hash, ct);
                await _store.DisconnectBlockAsync(block, Tip.Height, ct);
                _tip = Tip.Parent;
                disconnected.Add(block);
            }

            var path = new List<BlockIndexEntry>();
            for (var e = best; e != fork; e = e.Parent!)
            {
                path.Add(e);
            }

            path.Reverse();
            var connected = new List<Block>();
            foreach (var entry in path)
            {
                var block = await LoadBlockAsync(entry.Hash, ct);
                var coins = await _store.GetCoinsAsync(SpentOutPoints(block), ct);
                var result = BlockValidator.ConnectBlock(block, entry.Height, new DictionaryUtxoView(coins), Params, out var undo);
                if (!result.IsValid)
                {
                    _log.LogWarning("Block {Hash} at height {Height} is invalid: {Reason}", entry.Hash, entry.Height, result);
                    await MarkInvalidAsync(entry, result.Code!, ct);
                    break;
                }

                await _store.ConnectBlockAsync(block, entry.Height, undo, ct);
                _tip = entry;
                Mempool.RemoveForBlock(block);
                connected.Add(block);
            }

            if (disconnected.Count > 0)
            {
                await RefillMempoolAsync(disconnected, ct);
            }

            if (disconnected.Count > 0 || connected.Count > 0)
            {
                _log.LogInformation("Tip {Hash} at height {Height} ({Disconnected} disconnected, {Connected} connected)", Tip.Hash, Tip.Height, disconnected.Count, connected.Count);
                ChainChanged?.Invoke(new ChainChanged(disconnected, connected, Tip));
            }
        }
    }

    private async Task<Block> LoadBlockAsync(Hash256 hash, CancellationToken ct) =>
        _justStored?.Hash == hash ? _justStored : await _store.GetBlockAsync(hash, ct) ?? throw new InvalidOperationException($"Block {hash} is in the index but not in the store.");

    private static List<OutPoint> SpentOutPoints(Block block) =>
        [.. block.Transactions.Where(tx => !tx.IsCoinbase).SelectMany(tx => tx.Inputs).Select(input => input.PreviousOutput)];

    private async Task MarkInvalidAsync(BlockIndexEntry failed, string reason, CancellationToken ct)
    {
        failed.InvalidReason = reason;
        await _store.MarkBlockInvalidAsync(failed.Hash, ct);
        foreach (var entry in _index.Values)
        {
            if (entry.Height > failed.Height && entry.GetAncestor(failed.Height) == failed)
            {
                entry.InvalidReason = RejectCodes.BadPrevBlock;
            }
        }
    }

    /// <summary>
    /// After a reorg, rebuilds the mempool: transactions of disconnected blocks first (oldest block
    /// first), then what was already pooled; whatever no longer validates against the new tip is dropped.
    /// </summary>
    private async Task RefillMempoolAsync(IReadOnlyList<Block> disconnected, CancellationToken ct)
    {
        var pooled = Mempool.Snapshot();
        foreach (var entry in pooled)
        {
            Mempool.RemoveWithDescendants(entry.TxId);
        }

        var candidates = disconnected.AsEnumerable().Reverse()
            .SelectMany(b => b.Transactions.Where(tx => !tx.IsCoinbase))
            .Concat(pooled.Select(e => e.Transaction));
        foreach (var tx in candidates)
        {
            var result = await AcceptToMempoolAsync(tx, ct);
            if (!result.Accepted && result.Validation.Code != RejectCodes.AlreadyKnown)
            {
                _log.LogDebug("Dropped {TxId} from the mempool after a reorg: {Reason}", tx.TxId, result.Validation);
            }
        }
    }

    /// <summary>Validates a transaction against the tip's UTXO set and the mempool and, if it passes, adds it.</summary>
    public async Task<TransactionResult> AcceptTransactionAsync(Transaction tx, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(tx);
        await _writer.WaitAsync(ct);
        try
        {
            var result = await AcceptToMempoolAsync(tx, ct);
            if (result.Accepted)
            {
                TransactionAccepted?.Invoke(tx);
            }

            return result;
        }
        finally
        {
            _writer.Release();
        }
    }

    private async Task<TransactionResult> AcceptToMempoolAsync(Transaction tx, CancellationToken ct)
    {
        var txId = tx.TxId;
        TransactionResult Refuse(ValidationResult reason) => new(txId, reason, Amount.Zero);

        if (tx.IsCoinbase)
        {
            return Refuse(ValidationResult.Invalid(RejectCodes.UnexpectedCoinbase, "A coinbase is only valid in a block."));
        }

        var check = TransactionValidator.CheckTransaction(tx, Params);
        if (!check.IsValid)
        {
            return new TransactionResult(txId, check, Amount.Zero);
        }

        if (Mempool.Contains(txId) || await _store.GetTransactionAsync(txId, ct) is not null)
        {
            return Refuse(ValidationResult.Duplicate(RejectCodes.AlreadyKnown, "The transaction is already known."));
        }

        foreach (var input in tx.Inputs)
        {
            if (Mempool.GetSpender(input.PreviousOutput) is { } spender)
            {
                return Refuse(ValidationResult.Conflict(RejectCodes.DoubleSpend, $"Output {input.PreviousOutput} is already spent by {spender} in the mempool."));
            }
        }

        var spendHeight = Tip.Height + 1;
        var coins = new Dictionary<OutPoint, Coin>();
        var fromStore = new List<OutPoint>();
        foreach (var input in tx.Inputs)
        {
            if (Mempool.GetOutput(input.PreviousOutput) is { } unconfirmed)
            {
                coins[input.PreviousOutput] = new Coin(unconfirmed, spendHeight, IsCoinbase: false);
            }
            else
            {
                fromStore.Add(input.PreviousOutput);
            }
        }

        foreach (var (outPoint, coin) in await _store.GetCoinsAsync(fromStore, ct))
        {
            coins[outPoint] = coin;
        }

        var inputs = TransactionValidator.CheckInputs(tx, new DictionaryUtxoView(coins), spendHeight, Params, out var fee);
        if (!inputs.IsValid)
        {
            return new TransactionResult(txId, inputs, Amount.Zero);
        }

        var minimumFee = new Amount(_minRelayFeePerKb * tx.SerializedSize / 1000);
        if (fee < minimumFee)
        {
            return Refuse(ValidationResult.Policy(RejectCodes.FeeTooLow, $"Fee {fee} is below the minimum relay fee {minimumFee} for {tx.SerializedSize} bytes."));
        }

        var spent = tx.Inputs.Select(i => new SpentCoin(i.PreviousOutput, coins[i.PreviousOutput])).ToImmutableArray();
        var entry = new MempoolEntry(tx, fee, spent, _clock.GetUtcNow(), Mempool.NextSequence());
        var added = Mempool.TryAdd(entry);
        if (!added.IsValid)
        {
            return Refuse(added);
        }

        return new TransactionResult(txId, ValidationResult.Ok, fee);
    }

    /// <summary>A block to mine on the tip: the coinbase pays <paramref name="publicKeyHash"/> the subsidy and the fees.</summary>
    public BlockTemplate CreateTemplate(ReadOnlySpan<byte> publicKeyHash)
    {
        var tip = Tip;
        var height = tip.Height + 1;
        var context = ChainContextFor(tip);
        var bits = Difficulty.RequiredBits(height, tip.Header.Bits, context.BlockTimeAt, Params);
        var minTime = context.MedianTimePast + 1;
        var time = Math.Max(_clock.GetUtcNow().ToUnixTimeSeconds(), minTime);
        const int reserved = 1_000;
        var selected = Mempool.SelectForBlock(Params.MaxBlockSize - BlockHeader.Size - reserved);
        var fees = selected.Aggregate(Amount.Zero, (sum, e) => sum + e.Fee);
        var coinbase = Coinbase.Create(height, publicKeyHash, Subsidy.ForHeight(height, Params) + fees);
        var transactions = selected.Select(e => e.Transaction).Prepend(coinbase).ToImmutableArray();
        var header = new BlockHeader(1, tip.Hash, MerkleTree.ComputeRoot(transactions), (uint)time, bits, 0);
        return new BlockTemplate(new Block(header, transactions), height, (uint)minTime, fees);
    }

    public void Dispose() => _writer.Dispose();
}

public sealed record BlockTemplate(Block Block, int Height, uint MinTime, Amount Fees);
