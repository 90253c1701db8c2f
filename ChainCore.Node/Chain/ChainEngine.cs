using System.Runtime.ExceptionServices;
using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;
using ChainCore.Node.Mempool;
using ChainCore.Node.Storage;

namespace ChainCore.Node.Chain;

/// <summary>
/// The node's engine, one facade over Bitcoin Core's seams: the <see cref="ChainState"/> (block
/// index, candidate tips, active chain, activation), the <see cref="MempoolAcceptor"/>, the
/// <see cref="BlockAssembler"/> and the <see cref="ChainEvents"/> it publishes changes on.
/// Blocks and transactions go through one writer (a lock taken with the caller's token; once
/// held, nothing cancels the work). After each change the writer publishes the new state — the
/// active chain, the assembler's snapshot, then the events — so readers see either the state
/// before or after a whole reorg. Nothing runs on the writer's path but validation and the store:
/// subscribers read their own bounded channels (<see cref="ChainEvents.Subscribe"/>), long polls
/// wait with <see cref="WaitForTipChangeAsync"/>. Its parts stay inside: callers get named reads
/// (<see cref="Tip"/>, <see cref="ActiveChain"/>, <see cref="GetEntry"/>); the mempool's readers
/// take <see cref="IMempoolView"/> and the store's readers <see cref="IChainStore"/> from the container.
/// </summary>
public sealed class ChainEngine : IDisposable
{
    private readonly TransactionPool _mempool;
    private readonly ILogger<ChainEngine> _log;
    private readonly SemaphoreSlim _writer = new(1, 1);
    private readonly TimeProvider _clock;
    private readonly ReorgOrphanPool _reorgOrphans = new();
    private long _selectedAt;

    /// <summary>The store failed while the waiting transactions were tried: try all of them after the next change.</summary>
    private bool _retryAllReorgOrphans;

    /// <param name="signatures">The node's verifier: mempool acceptance fills its cache, block connects and template checks use it.</param>
    public ChainEngine(
        IChainStore store,
        ConsensusParams consensus,
        TransactionPool mempool,
        TimeProvider clock,
        long minRelayFeePerKb,
        int maxOrphans,
        long maxOrphanBytes,
        ILogger<ChainEngine> log,
        SignatureVerifier? signatures = null)
    {
        _log = log;
        _clock = clock;
        _mempool = mempool;
        var verifier = signatures ?? new SignatureVerifier(new SignatureCache());
        State = new ChainState(store, consensus, clock, maxOrphans, maxOrphanBytes, verifier, log);
        Acceptor = new MempoolAcceptor(State, mempool, store, clock, minRelayFeePerKb, verifier);
        Assembler = new BlockAssembler(State, clock, verifier, log);
    }

    public ChainEngine(IChainStore store, ConsensusParams consensus, TransactionPool mempool, TimeProvider clock, long minRelayFeePerKb, int maxOrphans, ILogger<ChainEngine> log, SignatureVerifier? signatures = null)
        : this(store, consensus, mempool, clock, minRelayFeePerKb, maxOrphans, DefaultMaxOrphanBytes, log, signatures)
    {
    }

    /// <summary>Bytes of orphan blocks kept at most (a few full blocks).</summary>
    public const long DefaultMaxOrphanBytes = 20_000_000;

    /// <summary>Block index, candidate tips and activation: the engine's own (white-box tests of the engine reach it).</summary>
    internal ChainState State { get; }

    internal MempoolAcceptor Acceptor { get; }

    internal BlockAssembler Assembler { get; }

    /// <summary>Changes of the tip and the mempool, for subscribers (relay, long polls).</summary>
    public ChainEvents Events { get; } = new();

    public ConsensusParams Params => State.Params;

    /// <summary>The best chain's tip as of the last completed change.</summary>
    public BlockIndexEntry Tip => State.Tip;

    /// <summary>The best chain as of the last completed change, by height; a published view never changes.</summary>
    public ActiveChain ActiveChain => State.Active;

    /// <summary>The smallest fee rate this node relays, units per 1,000 bytes.</summary>
    public long MinRelayFeePerKb => Acceptor.MinRelayFeePerKb;

    /// <summary>The fee rate a transaction needs to enter the mempool now: the minimum relay fee rate or the pool's rolling minimum, whichever is higher.</summary>
    public long MempoolMinimumFeePerKb => Acceptor.MinimumFeePerKb;

    /// <summary>Whether the mempool holds <paramref name="txId"/> (a peer's announcement of it need not be fetched).</summary>
    public bool IsInMempool(Hash256 txId) => _mempool.Contains(txId);

    /// <summary>
    /// A defect planted on purpose, for the test that proves the chaos checker finds lost
    /// transactions: when set, a reorg silently drops the transactions of the blocks it disconnects.
    /// Never set outside that test.
    /// </summary>
    internal bool PlantedDefectDropsDisconnectedTransactions { get; set; }

    public bool IsInitialized => State.IsInitialized;

    public int OrphanCount => State.OrphanCount;

    /// <summary>Transactions a reorg left without their inputs, waiting for a later change to bring them back.</summary>
    internal int WaitingForInputs => _reorgOrphans.Count;

    public BlockIndexEntry? GetEntry(Hash256 hash) => State.GetEntry(hash);

    public bool IsOnMainChain(BlockIndexEntry entry) => State.IsOnMainChain(entry);

    /// <summary>Completes with the new tip once the tip is not <paramref name="knownTip"/> (for long polls).</summary>
    public Task<BlockIndexEntry> WaitForTipChangeAsync(Hash256 knownTip, CancellationToken ct = default) => Events.WaitForTipChangeAsync(knownTip, ct);

    /// <summary>A block to mine on the tip, from the last published snapshot: the coinbase pays <paramref name="publicKeyHash"/>.</summary>
    public BlockTemplate CreateTemplate(ReadOnlySpan<byte> publicKeyHash) => Assembler.CreateTemplate(publicKeyHash);

    /// <summary>Creates or migrates the schema, rebuilds the block index from the store and resumes at the stored tip.</summary>
    public async Task InitializeAsync(CancellationToken ct = default)
    {
        await _writer.WaitAsync(ct);
        try
        {
            var outcome = await State.InitializeAsync(ct);
            await FinishAsync(outcome);
            Events.SetTip(State.Tip);
        }
        finally
        {
            _writer.Release();
        }
    }

    /// <summary>
    /// Checks, stores and, if it makes the best chain, connects a block; then any orphans that were
    /// waiting for it. <paramref name="ct"/> only covers waiting for the writer: once the block is
    /// being stored, the work finishes even if the caller gives up. Throws if the store failed, after
    /// the chain settled on the most-work chain it could connect.
    /// </summary>
    public Task<BlockResult> ProcessBlockAsync(Block block, CancellationToken ct = default) => ProcessBlockAsync(block, requested: true, ct);

    /// <summary>
    /// As <see cref="ProcessBlockAsync(Block, CancellationToken)"/>; a block nobody asked for
    /// (<paramref name="requested"/> false: a submitted block, a peer's unrequested one) is stored only
    /// if its branch has more work than the tip, otherwise refused as <see cref="RejectCodes.LowWork"/> (stale).
    /// </summary>
    public async Task<BlockResult> ProcessBlockAsync(Block block, bool requested, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(block);
        await _writer.WaitAsync(ct);
        try
        {
            var result = await StoreWithOrphansAsync(block, requested);
            if (result.Status != BlockStatus.Accepted)
            {
                LogRefusal(result);
                return result;
            }

            var outcome = await State.ActivateBestChainAsync();
            await FinishAsync(outcome);
            var entry = State.GetEntry(block.Hash)!;
            if (entry.IsInvalid)
            {
                result = new BlockResult(BlockStatus.Invalid, block.Hash, entry.Height, false,
                    ValidationResult.Invalid(entry.InvalidReason!, $"The block failed validation: {entry.InvalidReason}."));
                LogRefusal(result);
                return result;
            }

            if (outcome.StoreFailure is not null)
            {
                ExceptionDispatchInfo.Throw(outcome.StoreFailure);
            }

            return result with { BecameTip = State.IsOnMainChain(entry) };
        }
        finally
        {
            _writer.Release();
        }
    }

    private async Task<BlockResult> StoreWithOrphansAsync(Block block, bool requested)
    {
        var result = await State.StoreBlockAsync(block, requested, CancellationToken.None);
        if (result.Status != BlockStatus.Accepted)
        {
            return result;
        }

        var queue = new Queue<Hash256>([block.Hash]);
        while (queue.TryDequeue(out var parent))
        {
            foreach (var orphan in State.TakeOrphanChildren(parent))
            {
                // An orphan is judged as the block that brought its parent: a child of a block that
                // passed the work rule has more work still, and a requested branch is stored whole.
                var stored = await State.StoreBlockAsync(orphan, requested, CancellationToken.None);
                if (stored.Status == BlockStatus.Accepted)
                {
                    queue.Enqueue(orphan.Hash);
                }
                else
                {
                    LogRefusal(stored);
                }
            }
        }

        return result;
    }

    /// <summary>Validates a transaction against the tip's UTXO set, the mempool and this node's policy and, if it passes, adds it.</summary>
    public async Task<TransactionResult> AcceptTransactionAsync(Transaction tx, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(tx);
        await _writer.WaitAsync(ct);
        try
        {
            var evicted = new List<Hash256>();
            var result = await Acceptor.AcceptAsync(tx, fromDisconnectedBlock: false, evicted, CancellationToken.None);
            if (!result.Accepted)
            {
                _log.LogInformation("Refused transaction {TxId}: {Code} ({Category}) {Message}", tx.TxId, result.Validation.Code, result.Validation.Category, result.Validation.Message);
                return result;
            }

            if (evicted.Count > 0 || !MayKeepSelection())
            {
                PublishSnapshot();
            }

            foreach (var id in evicted)
            {
                Events.Publish(new TransactionRemoved(id, RemovalReason.Dropped));
            }

            Events.Publish(new TransactionAccepted(tx, result.Fee));
            return result;
        }
        finally
        {
            _writer.Release();
        }
    }

    /// <summary>
    /// Writer only, after an activation: brings the mempool in line with the new tip — confirmed and
    /// conflicting transactions leave; transactions of disconnected blocks that are still valid
    /// return, and those waiting for their inputs (<see cref="ReorgOrphanPool"/>) are tried again —
    /// then publishes the snapshot and the events.
    /// </summary>
    private async Task FinishAsync(ActivationOutcome outcome)
    {
        var removed = new List<TransactionRemoved>();
        var returned = new List<(Transaction, Amount)>();
        try
        {
            foreach (var (block, _) in outcome.Connected)
            {
                var inBlock = block.Transactions.Select(t => t.TxId).ToHashSet();
                removed.AddRange(_mempool.RemoveForBlock(block).Select(id => new TransactionRemoved(id, inBlock.Contains(id) ? RemovalReason.Block : RemovalReason.Conflict)));
            }

            if (outcome.Disconnected.Count > 0)
            {
                await RefillMempoolAsync(outcome, removed, returned);
            }

            if (outcome.Changed)
            {
                await RetryReorgOrphansAsync(outcome, removed, returned);
            }

            // Transactions that were mined once return past the pool's bounds; a pool within them costs one comparison.
            TrimMempool(removed, returned);
        }
        finally
        {
            // Readers see the new chain only now, with its mempool.
            State.Publish();
            PublishSnapshot();
        }

        if (!outcome.Changed)
        {
            return;
        }

        var tip = State.Tip;
        _log.LogInformation("Tip {Hash} at height {Height} ({Disconnected} disconnected, {Connected} connected)", tip.Hash, tip.Height, outcome.Disconnected.Count, outcome.Connected.Count);
        foreach (var (block, entry) in outcome.Disconnected)
        {
            Events.Publish(new BlockDisconnected(block, entry));
        }

        foreach (var (block, entry) in outcome.Connected)
        {
            Events.Publish(new BlockConnected(block, entry));
        }

        foreach (var change in removed)
        {
            Events.Publish(change);
        }

        foreach (var (tx, fee) in returned)
        {
            Events.Publish(new TransactionAccepted(tx, fee));
        }

        if (tip != outcome.PreviousTip)
        {
            Events.Publish(new TipMoved(tip, outcome.PreviousTip));
        }
    }

    /// <summary>
    /// After a reorg: the transactions of disconnected blocks (oldest block first), then what was
    /// pooled, are checked again against the new tip; what no longer validates is dropped, except
    /// that one now missing inputs waits in <see cref="_reorgOrphans"/> for a later reorg to bring
    /// them back. Policy limits do not apply to transactions that were mined once.
    /// </summary>
    private async Task RefillMempoolAsync(ActivationOutcome outcome, List<TransactionRemoved> removed, List<(Transaction, Amount)> returned)
    {
        var pooled = _mempool.Snapshot();
        foreach (var entry in pooled)
        {
            _mempool.RemoveWithDescendants(entry.TxId);
        }

        var wasPooled = pooled.Select(e => e.TxId).ToHashSet();
        var candidates = outcome.Disconnected.AsEnumerable().Reverse()
            .Where(_ => !PlantedDefectDropsDisconnectedTransactions)
            .SelectMany(d => d.Block.Transactions.Where(tx => !tx.IsCoinbase).Select(tx => (Tx: tx, Mined: true)))
            .Concat(pooled.Select(e => (Tx: e.Transaction, Mined: e.FromDisconnectedBlock)));
        foreach (var (tx, mined) in candidates)
        {
            var evicted = new List<Hash256>();
            var (result, failure) = await TryAcceptAsync(tx, mined, evicted, wasPooled: wasPooled.Contains(tx.TxId));
            if (result is null)
            {
                // The store failed reading coins: the chain has moved, so publish it anyway; the transaction can be sent again.
                _log.LogError(failure, "Could not check {TxId} again after a reorg; dropped from the mempool", tx.TxId);
                if (wasPooled.Contains(tx.TxId))
                {
                    removed.Add(new TransactionRemoved(tx.TxId, RemovalReason.Dropped));
                }

                continue;
            }

            NoteEvicted(evicted, removed, returned);
            if (result.Accepted)
            {
                if (!wasPooled.Contains(tx.TxId))
                {
                    returned.Add((tx, result.Fee));
                }
            }
            else if (result.Validation.Code != RejectCodes.AlreadyKnown)
            {
                _log.LogInformation("Dropped {TxId} from the mempool after a reorg: {Code} ({Category}) {Message}", tx.TxId, result.Validation.Code, result.Validation.Category, result.Validation.Message);
                if (wasPooled.Contains(tx.TxId))
                {
                    removed.Add(new TransactionRemoved(tx.TxId, RemovalReason.Dropped));
                }

                KeepReorgOrphan(tx, result.Validation, mined);
            }
        }
    }

    /// <summary>
    /// Writer only: the acceptor's answer on a transaction checked again after the tip moved, or the
    /// store's failure that kept it from answering (the caller decides what becomes of the transaction).
    /// </summary>
    private async Task<(TransactionResult? Result, Exception? Failure)> TryAcceptAsync(Transaction tx, bool mined, List<Hash256> evicted, bool wasPooled)
    {
        try
        {
            return (await Acceptor.AcceptAsync(tx, fromDisconnectedBlock: mined, evicted, CancellationToken.None, wasPooled), null);
        }
        catch (Exception e)
        {
            return (null, e);
        }
    }

    /// <summary>Writer only: a transaction that a reorg left without its inputs waits for them, if there is room.</summary>
    private void KeepReorgOrphan(Transaction tx, ValidationResult refusal, bool mined)
    {
        foreach (var dropped in _reorgOrphans.Keep(tx, refusal, mined))
        {
            _log.LogInformation("Dropped {TxId} from the transactions waiting for their inputs after a reorg: no room", dropped);
        }

        if (_reorgOrphans.Contains(tx.TxId))
        {
            _log.LogInformation("{TxId} waits for its inputs to return in a later reorg", tx.TxId);
        }
    }

    /// <summary>
    /// After every activation that moved the tip: the transactions waiting for their inputs leave when
    /// the new chain confirms them or spends one of their inputs; those with a parent that is now in a
    /// connected block or in the mempool (only such can have found their inputs) are tried again,
    /// parents first: those once mined as transactions of disconnected blocks, the others under the
    /// node's policy. Accepted ones return to the mempool and are announced; those still missing
    /// inputs wait; the others leave.
    /// </summary>
    private async Task RetryReorgOrphansAsync(ActivationOutcome outcome, List<TransactionRemoved> removed, List<(Transaction, Amount)> returned)
    {
        if (_reorgOrphans.Count == 0)
        {
            return;
        }

        // A block connected and disconnected again in one activation (a store failure) is not on the chain.
        var tip = State.WriterTip;
        var onChain = outcome.Connected.Where(c => tip.Descends(c.Entry)).Select(c => c.Block).ToList();
        foreach (var block in onChain)
        {
            foreach (var id in _reorgOrphans.RemoveForBlock(block))
            {
                _log.LogInformation("{TxId} no longer waits for its inputs: a block confirmed it or spent one of them", id);
            }
        }

        var parents = _reorgOrphans.ParentIds();
        var appeared = onChain.SelectMany(b => b.Transactions).Select(t => t.TxId).Where(parents.Contains).ToHashSet();
        var retryAll = _retryAllReorgOrphans;
        _retryAllReorgOrphans = false;
        foreach (var tx in _reorgOrphans.InRetryOrder())
        {
            if (_mempool.Contains(tx.TxId))
            {
                // Sent again meanwhile.
                _reorgOrphans.Remove(tx.TxId);
                continue;
            }

            if (!retryAll && !tx.Inputs.Any(i => appeared.Contains(i.PreviousOutput.TxId) || _mempool.Contains(i.PreviousOutput.TxId)))
            {
                continue;
            }

            var evicted = new List<Hash256>();
            var (result, failure) = await TryAcceptAsync(tx, _reorgOrphans.WasMined(tx.TxId), evicted, wasPooled: true);
            if (result is null)
            {
                // The store failed reading coins: they all wait, and are all tried after the next change.
                _log.LogError(failure, "Could not try {TxId} again after the tip moved", tx.TxId);
                _retryAllReorgOrphans = true;
                break;
            }

            NoteEvicted(evicted, removed, returned);
            if (_reorgOrphans.Settle(tx, result))
            {
                continue;
            }

            if (result.Accepted)
            {
                _log.LogInformation("{TxId} found its inputs again and returns to the mempool", tx.TxId);
                returned.Add((tx, result.Fee));
            }
            else
            {
                _log.LogInformation("{TxId} no longer waits for its inputs: {Code} ({Category}) {Message}", tx.TxId, result.Validation.Code, result.Validation.Category, result.Validation.Message);
            }
        }
    }

    /// <summary>
    /// Transactions of disconnected blocks, or waiting ones that were mined once, may have come back
    /// past the pool's bounds: evict down to them, lowest fee rate first with descendants, as Bitcoin
    /// does after a reorg.
    /// </summary>
    private void TrimMempool(List<TransactionRemoved> removed, List<(Transaction, Amount)> returned)
    {
        var trimmed = _mempool.TrimToSize();
        if (trimmed.Count > 0)
        {
            _log.LogInformation("Evicted {Count} transactions to bring the mempool back within its bounds after transactions that were mined returned", trimmed.Count);
            NoteEvicted(trimmed, removed, returned);
        }
    }

    /// <summary>
    /// Transactions evicted while the mempool is brought in line with a change (by a returning one, or
    /// to bring the pool within its bounds): one returned earlier in this change (not announced yet)
    /// leaves the returned list unannounced; one that was in the pool before is announced as dropped.
    /// </summary>
    private static void NoteEvicted(IReadOnlyList<Hash256> evicted, List<TransactionRemoved> removed, List<(Transaction, Amount)> returned)
    {
        foreach (var id in evicted)
        {
            if (returned.RemoveAll(r => r.Item1.TxId == id) == 0)
            {
                removed.Add(new TransactionRemoved(id, RemovalReason.Dropped));
            }
        }
    }

    /// <summary>Pools at least this big keep their last choice for a block for a while after a transaction is added.</summary>
    private const int LargePool = 500;

    /// <summary>How long a large pool's choice for a block is kept while only transactions are added (as Bitcoin's getblocktemplate).</summary>
    private static readonly TimeSpan SelectionReuse = TimeSpan.FromSeconds(5);

    /// <summary>Writer only: the tip and the mempool's choice for the next block, as they are now.</summary>
    private void PublishSnapshot()
    {
        Assembler.Publish(State.Tip, PackageSelector.Select(_mempool.Graph(), BlockAssembler.MaxTransactionBytes(Params)));
        _selectedAt = _clock.GetTimestamp();
    }

    /// <summary>
    /// After a transaction was added, nothing evicted, same tip: the published choice is still a valid
    /// block, only without the newest transactions. A large pool keeps it for a few seconds, so a flood
    /// of transactions does not rebuild a block's worth of selection each time.
    /// </summary>
    private bool MayKeepSelection() =>
        _mempool.Count >= LargePool
        && Assembler.Snapshot?.Tip == State.Tip
        && _clock.GetElapsedTime(_selectedAt) < SelectionReuse;

    /// <summary>An invalid block is a warning; a block already known only a debug line (under relay each block comes from several peers); the rest information.</summary>
    private void LogRefusal(BlockResult result)
    {
        var v = result.Validation;
        var level = v.Category switch
        {
            ValidationCategory.Invalid => LogLevel.Warning,
            ValidationCategory.Duplicate => LogLevel.Debug,
            _ => LogLevel.Information,
        };
        _log.Log(level, "Refused block {Hash}: {Code} ({Category}) {Message}", result.Hash, v.Code, v.Category, v.Message);
    }

    /// <summary>Waits for a block or transaction being processed to finish (a move of the tip always finishes), then closes the writer.</summary>
    public void Dispose()
    {
        if (_writer.Wait(TimeSpan.FromSeconds(30)))
        {
            _writer.Dispose();
        }
    }
}
