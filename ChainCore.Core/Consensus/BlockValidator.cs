using System.Collections.Immutable;
using ChainCore.Core.Primitives;

namespace ChainCore.Core.Consensus;

/// <summary>Block rules (after Bitcoin's <c>CheckBlock</c>, <c>ContextualCheckBlockHeader</c> and <c>ConnectBlock</c>).</summary>
public static class BlockValidator
{
    /// <summary>
    /// Context-free rules: proof of work, merkle root, size, coinbase placement, each transaction, no
    /// duplicates. <paramref name="checkProofOfWork"/> false checks a block template before it is solved.
    /// </summary>
    public static ValidationResult CheckBlock(Block block, ConsensusParams p, bool checkProofOfWork = true)
    {
        ArgumentNullException.ThrowIfNull(block);
        if (checkProofOfWork && !Target.CheckProofOfWork(block.Hash, block.Header.Bits, p))
        {
            return ValidationResult.Invalid(RejectCodes.BadPow, $"The block hash {block.Hash} does not meet its target (bits {block.Header.Bits:x8}).");
        }

        if (block.Transactions.IsEmpty)
        {
            return ValidationResult.Invalid(RejectCodes.NoCoinbase, "The block has no transactions.");
        }

        var txIds = block.Transactions.Select(tx => tx.TxId).ToArray();
        var root = MerkleTree.ComputeRoot(txIds, out var mutated);
        if (root != block.Header.MerkleRoot)
        {
            return ValidationResult.Invalid(RejectCodes.BadMerkleRoot, $"The merkle root {root} does not match the header's {block.Header.MerkleRoot}.");
        }

        if (mutated)
        {
            return ValidationResult.Invalid(RejectCodes.MutatedMerkle, "The transaction list repeats a subtree (CVE-2012-2459).");
        }

        if (block.SerializedSize > p.MaxBlockSize)
        {
            return ValidationResult.Invalid(RejectCodes.BlockOversize, $"The block is {block.SerializedSize} bytes; at most {p.MaxBlockSize}.");
        }

        if (!block.Transactions[0].IsCoinbase)
        {
            return ValidationResult.Invalid(RejectCodes.NoCoinbase, "The first transaction is not a coinbase.");
        }

        for (var i = 1; i < block.Transactions.Length; i++)
        {
            if (block.Transactions[i].IsCoinbase)
            {
                return ValidationResult.Invalid(RejectCodes.MultipleCoinbase, $"Transaction {i} is a second coinbase.");
            }
        }

        foreach (var tx in block.Transactions)
        {
            var result = TransactionValidator.CheckTransaction(tx, p);
            if (!result.IsValid)
            {
                return result with { Message = $"{tx.TxId}: {result.Message}" };
            }
        }

        if (txIds.Distinct().Count() != txIds.Length)
        {
            return ValidationResult.Invalid(RejectCodes.DuplicateTransactions, "The block contains the same transaction twice.");
        }

        return ValidationResult.Ok;
    }

    /// <summary>Rules that need the parent: the required bits, time after the median time past, time not too far ahead of <paramref name="now"/>.</summary>
    public static ValidationResult ContextualCheckHeader(BlockHeader header, ChainContext parent, DateTimeOffset now, ConsensusParams p)
    {
        ArgumentNullException.ThrowIfNull(parent);
        var required = Difficulty.RequiredBits(parent.ParentHeight + 1, parent.ParentBits, parent.BlockTimeAt, p);
        if (header.Bits != required)
        {
            return ValidationResult.Invalid(RejectCodes.BadDifficultyBits, $"Bits {header.Bits:x8} differ from the required {required:x8}.");
        }

        if (header.Time <= parent.MedianTimePast)
        {
            return ValidationResult.Invalid(RejectCodes.TimeTooOld, $"Time {header.Time} is not after the median time past {parent.MedianTimePast}.");
        }

        var limit = now.ToUnixTimeSeconds() + p.MaxFutureBlockTime;
        if (header.Time > limit)
        {
            // Not a consensus failure: the block may become valid as this node's clock advances, and
            // a peer whose clock runs a little ahead is honest (Bitcoin's BLOCK_TIME_FUTURE).
            return ValidationResult.Premature(RejectCodes.TimeTooNew, $"Time {header.Time} is more than {p.MaxFutureBlockTime} s ahead of this node's clock.");
        }

        return ValidationResult.Ok;
    }

    /// <summary>
    /// Validates a block at <paramref name="height"/> against the UTXO set <paramref name="view"/>:
    /// <see cref="ConnectBlockExceptSignatures"/>, then the signatures. <paramref name="undo"/> lists
    /// the spent coins in input order. Signatures go through <paramref name="signatures"/> (the
    /// node's, which skips inputs verified on mempool entry) or, by default, a verifier without a
    /// cache; in parallel either way.
    /// </summary>
    public static ValidationResult ConnectBlock(Block block, int height, IUtxoView view, ConsensusParams p, out BlockUndo undo, SignatureVerifier? signatures = null)
    {
        var result = ConnectBlockExceptSignatures(block, height, view, p, out undo);
        if (!result.IsValid)
        {
            return result;
        }

        result = (signatures ?? SignatureVerifier.Default).CheckBlock(block);
        if (!result.IsValid)
        {
            undo = BlockUndo.Empty;
        }

        return result;
    }

    /// <summary>
    /// Every rule of <see cref="ConnectBlock"/> but the signatures, which a node verifies meanwhile
    /// (as Bitcoin queues script checks while it updates the coins): the coinbase carries the
    /// height, every transaction spends existing mature outputs exactly once (earlier transactions
    /// of the block included), and the coinbase takes at most the subsidy plus fees. A block is
    /// valid only once <see cref="SignatureVerifier.CheckBlock"/> passes too.
    /// </summary>
    public static ValidationResult ConnectBlockExceptSignatures(Block block, int height, IUtxoView view, ConsensusParams p, out BlockUndo undo)
    {
        ArgumentNullException.ThrowIfNull(block);
        undo = BlockUndo.Empty;
        var coinbase = block.Transactions[0];
        if (!Coinbase.TryReadHeight(coinbase.Inputs[0].Signature.AsSpan(), out var coinbaseHeight) || coinbaseHeight != height)
        {
            return ValidationResult.Invalid(RejectCodes.BadCoinbaseHeight, $"The coinbase does not start with the block height {height}.");
        }

        var cache = new UtxoCache(view);
        var spent = ImmutableArray.CreateBuilder<SpentCoin>();
        var spentInBlock = new HashSet<OutPoint>();
        var fees = Amount.Zero;
        cache.AddOutputs(coinbase, height);
        foreach (var tx in block.Transactions.Skip(1))
        {
            foreach (var input in tx.Inputs)
            {
                if (spentInBlock.Contains(input.PreviousOutput))
                {
                    return ValidationResult.Invalid(RejectCodes.DoubleSpend, $"{tx.TxId}: output {input.PreviousOutput} is spent twice in the block.");
                }
            }

            var result = TransactionValidator.CheckInputsExceptSignatures(tx, cache, height, p, out var fee);
            if (!result.IsValid)
            {
                return result with { Message = $"{tx.TxId}: {result.Message}" };
            }

            fees += fee;
            foreach (var input in tx.Inputs)
            {
                spent.Add(new SpentCoin(input.PreviousOutput, cache.Spend(input.PreviousOutput)!));
                spentInBlock.Add(input.PreviousOutput);
            }

            cache.AddOutputs(tx, height);
        }

        var limit = Subsidy.ForHeight(height, p) + fees;
        if (coinbase.TotalOutput() > limit)
        {
            return ValidationResult.Invalid(RejectCodes.BadCoinbaseAmount, $"The coinbase pays {coinbase.TotalOutput()}; at most {limit} (subsidy and fees).");
        }

        undo = new BlockUndo(spent.ToImmutable());
        return ValidationResult.Ok;
    }
}
