using System.Collections.Immutable;
using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;
using ChainCore.Node.Mempool;

namespace ChainCore.Node.Chain;

public sealed record BlockTemplate(Block Block, int Height, uint MinTime, Amount Fees);

/// <summary>
/// Builds block templates, as Bitcoin Core's <c>BlockAssembler</c>, from one consistent snapshot
/// (the tip and the mempool's choice for a block on it, by ancestor-package fee rate) that the
/// writer publishes after each change, so a template never mixes two chain states. The chosen
/// transactions are checked as a block once per snapshot, and each template again before it is
/// handed out: context-free rules (all but the proof of work), the header against its parent, and
/// <see cref="BlockValidator.ConnectBlock"/> against the coins the mempool entries spend (their
/// signatures are in the node's cache since mempool entry, so this is cheap). A selection that
/// fails its check loses the failing transactions; a template that fails is replaced by the
/// coinbase alone: no template is ever invalid.
/// </summary>
public sealed class BlockAssembler(ChainState chain, TimeProvider clock, SignatureVerifier signatures, ILogger log)
{
    /// <summary>Bytes kept free for the header and the coinbase.</summary>
    private const int ReservedBytes = 1_000;

    private volatile ChainSnapshot? _snapshot;

    /// <summary>The snapshot templates are built from; null before the chain is loaded.</summary>
    public ChainSnapshot? Snapshot => _snapshot;

    /// <summary>Room for transactions in a block: its size limit less the header and the coinbase.</summary>
    public static int MaxTransactionBytes(ConsensusParams p) => p.MaxBlockSize - BlockHeader.Size - ReservedBytes;

    /// <summary>Writer only: publishes the tip and the mempool's choice for a block on it (parents first) after a change completed.</summary>
    internal void Publish(BlockIndexEntry tip, IReadOnlyList<MempoolEntry> chosen) => _snapshot = new ChainSnapshot(tip, chosen);

    /// <summary>A block to mine on the snapshot's tip: the coinbase pays <paramref name="publicKeyHash"/> the subsidy and the fees.</summary>
    public BlockTemplate CreateTemplate(ReadOnlySpan<byte> publicKeyHash)
    {
        var snapshot = _snapshot ?? throw new InvalidOperationException("The chain is not initialized.");
        var selection = snapshot.Selection ?? snapshot.SetSelection(Select(snapshot));
        var template = Build(snapshot.Tip, selection, publicKeyHash);
        var check = CheckTemplate(template, snapshot.Tip, selection);
        if (check.IsValid)
        {
            return template;
        }

        if (check.Category == ValidationCategory.Premature)
        {
            // Not a defect: chain time ran more than two hours ahead of this node's clock (blocks mined
            // faster than their spacing, as on regtest), so no block on this tip is valid yet, whatever
            // it holds. The block is refused on submission with the same code until the clock catches
            // up (or is set ahead: --mock-time, POST /debug/mocktime).
            log.LogWarning("Template on {Tip} is ahead of this node's clock ({Reason}): no block on it is valid until the clock catches up", snapshot.Tip.Hash, check);
            return template;
        }

        // Not expected: the selection was checked as a block. Hand out the coinbase alone rather than an invalid block.
        log.LogError("Template on {Tip} failed its check ({Reason}); using the coinbase alone", snapshot.Tip.Hash, check);
        return Build(snapshot.Tip, TemplateSelection.Empty, publicKeyHash);
    }

    private BlockTemplate Build(BlockIndexEntry tip, TemplateSelection selection, ReadOnlySpan<byte> publicKeyHash)
    {
        var p = chain.Params;
        var height = tip.Height + 1;
        var context = ChainState.ContextFor(tip);
        var bits = Difficulty.RequiredBits(height, tip.Header.Bits, context.BlockTimeAt, p);
        var minTime = context.MedianTimePast + 1;
        var time = Math.Max(clock.GetUtcNow().ToUnixTimeSeconds(), minTime);
        var coinbase = Coinbase.Create(height, publicKeyHash, Subsidy.ForHeight(height, p) + selection.Fees);
        var transactions = selection.Entries.Select(e => e.Transaction).Prepend(coinbase).ToImmutableArray();
        var header = new BlockHeader(1, tip.Hash, MerkleTree.ComputeRoot(transactions), (uint)time, bits, 0);
        return new BlockTemplate(new Block(header, transactions), height, (uint)minTime, selection.Fees);
    }

    private ValidationResult CheckTemplate(BlockTemplate template, BlockIndexEntry tip, TemplateSelection selection)
    {
        var p = chain.Params;
        var block = template.Block;
        var result = BlockValidator.CheckBlock(block, p, checkProofOfWork: false);
        if (result.IsValid)
        {
            result = BlockValidator.ContextualCheckHeader(block.Header, ChainState.ContextFor(tip), clock.GetUtcNow(), p);
        }

        if (result.IsValid)
        {
            result = BlockValidator.ConnectBlock(block, template.Height, new DictionaryUtxoView(selection.Coins), p, out _, signatures);
        }

        return result;
    }

    /// <summary>Chooses and checks the snapshot's transactions for a block.</summary>
    private TemplateSelection Select(ChainSnapshot snapshot)
    {
        var excluded = new HashSet<Hash256>();
        while (true)
        {
            var selection = Choose(snapshot.Chosen, excluded);
            var failing = FirstFailing(snapshot.Tip, selection);
            if (failing is null)
            {
                return selection;
            }

            log.LogError("Mempool transaction {TxId} does not connect on tip {Tip}; left out of templates", failing, snapshot.Tip.Hash);
            excluded.Add(failing.Value);
        }
    }

    /// <summary>The chosen transactions less <paramref name="excluded"/> and whatever spends their outputs.</summary>
    private static TemplateSelection Choose(IReadOnlyList<MempoolEntry> chosen, HashSet<Hash256> excluded)
    {
        var left = new HashSet<Hash256>(excluded);
        var entries = ImmutableArray.CreateBuilder<MempoolEntry>();
        var fees = Amount.Zero;
        foreach (var entry in chosen)
        {
            if (left.Contains(entry.TxId) || entry.Transaction.Inputs.Any(i => left.Contains(i.PreviousOutput.TxId)))
            {
                left.Add(entry.TxId);
                continue;
            }

            entries.Add(entry);
            fees += entry.Fee;
        }

        return new TemplateSelection(entries.ToImmutable(), fees);
    }

    /// <summary>Connects the selection as a block on <paramref name="tip"/>; the first transaction that fails, or null.</summary>
    private Hash256? FirstFailing(BlockIndexEntry tip, TemplateSelection selection)
    {
        var p = chain.Params;
        var height = tip.Height + 1;
        var coins = selection.Coins;
        var coinbase = Coinbase.Create(height, new byte[20], Subsidy.ForHeight(height, p) + selection.Fees);
        var transactions = selection.Entries.Select(e => e.Transaction).Prepend(coinbase).ToImmutableArray();
        // The rules checked here read neither the header's time nor its bits (those are the template's, checked in CheckTemplate).
        var header = new BlockHeader(1, tip.Hash, MerkleTree.ComputeRoot(transactions), tip.Header.Time, tip.Header.Bits, 0);
        var block = new Block(header, transactions);
        var result = BlockValidator.CheckBlock(block, p, checkProofOfWork: false);
        if (result.IsValid)
        {
            result = BlockValidator.ConnectBlock(block, height, new DictionaryUtxoView(coins), p, out _, signatures);
        }

        if (result.IsValid)
        {
            return null;
        }

        // Find the culprit one transaction at a time (rare: only when the mempool and the tip disagree).
        var view = new UtxoCache(new DictionaryUtxoView(coins));
        foreach (var entry in selection.Entries)
        {
            if (!TransactionValidator.CheckTransaction(entry.Transaction, p).IsValid ||
                !TransactionValidator.CheckInputs(entry.Transaction, view, height, p, out _, signatures).IsValid)
            {
                return entry.TxId;
            }

            foreach (var input in entry.Transaction.Inputs)
            {
                view.Spend(input.PreviousOutput);
            }

            view.AddOutputs(entry.Transaction, height);
        }

        return selection.Entries[^1].TxId;
    }
}

/// <summary>The tip and the mempool's choice of transactions for a block on it, as they were after one change.</summary>
public sealed class ChainSnapshot(BlockIndexEntry tip, IReadOnlyList<MempoolEntry> chosen)
{
    private TemplateSelection? _selection;

    public BlockIndexEntry Tip { get; } = tip;

    /// <summary>What the mempool chose for a block on <see cref="Tip"/> (parents before children), before the assembler's check.</summary>
    public IReadOnlyList<MempoolEntry> Chosen { get; } = chosen;

    internal TemplateSelection? Selection => Volatile.Read(ref _selection);

    internal TemplateSelection SetSelection(TemplateSelection selection) =>
        Interlocked.CompareExchange(ref _selection, selection, null) ?? selection;
}

internal sealed record TemplateSelection(ImmutableArray<MempoolEntry> Entries, Amount Fees)
{
    public static TemplateSelection Empty { get; } = new(ImmutableArray<MempoolEntry>.Empty, Amount.Zero);

    /// <summary>The confirmed coins the entries spend, as resolved when each entered the mempool: the UTXO view templates are checked against.</summary>
    public IReadOnlyDictionary<OutPoint, Coin> Coins { get; } = CoinsOf(Entries);

    private static Dictionary<OutPoint, Coin> CoinsOf(ImmutableArray<MempoolEntry> entries)
    {
        var inBlock = entries.Select(e => e.TxId).ToHashSet();
        var coins = new Dictionary<OutPoint, Coin>();
        foreach (var spent in entries.SelectMany(e => e.SpentCoins))
        {
            if (!inBlock.Contains(spent.OutPoint.TxId))
            {
                coins[spent.OutPoint] = spent.Coin;
            }
        }

        return coins;
    }
}
