using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;

namespace ChainCore.Fuzz;

/// <summary>
/// The binary formats of ChainCore.Core: what a peer's block, transaction or header bytes become.
/// A parse may only fail with <see cref="FormatException"/>; what parses must re-serialize to the
/// very bytes it came from (one canonical encoding) and survive the context-free consensus checks
/// a node runs on it next.
/// </summary>
public static class PrimitiveTargets
{
    public static void ParseBlock(ReadOnlySpan<byte> input)
    {
        Block block;
        try
        {
            block = Block.Parse(input);
        }
        catch (FormatException)
        {
            return;
        }

        FuzzInvariantException.Check(block.Serialize().AsSpan().SequenceEqual(input), "a parsed block re-serializes to its input");
        FuzzInvariantException.Check(block.SerializedSize == input.Length, "a parsed block's size is its input's length");
        FuzzInvariantException.Check(block.Hash == BlockHeader.Parse(input[..BlockHeader.Size]).GetHash(), "a block's hash is its first 80 bytes' hash");
        _ = BlockValidator.CheckBlock(block, ConsensusParams.Regtest);

        // Mutated bytes almost never keep the merkle root right; with it corrected, the checks
        // behind it (coinbase, duplicates, each transaction's rules) see the mutations too.
        var rooted = block.WithHeader(block.Header with { MerkleRoot = MerkleTree.ComputeRoot(block.Transactions) });
        _ = BlockValidator.CheckBlock(rooted, ConsensusParams.Regtest, checkProofOfWork: false);
    }

    public static void ParseTransaction(ReadOnlySpan<byte> input)
    {
        Transaction tx;
        try
        {
            tx = Transaction.Parse(input);
        }
        catch (FormatException)
        {
            return;
        }

        FuzzInvariantException.Check(tx.Serialize().AsSpan().SequenceEqual(input), "a parsed transaction re-serializes to its input");
        FuzzInvariantException.Check(tx.TxId == Hash256.Compute(input), "a transaction's id is its input's hash");
        for (var i = 0; i < tx.Inputs.Length; i++)
        {
            _ = tx.SignatureHash(i);
        }

        _ = TransactionValidator.CheckTransaction(tx, ConsensusParams.Regtest);
    }

    public static void ParseHeader(ReadOnlySpan<byte> input)
    {
        BlockHeader header;
        try
        {
            header = BlockHeader.Parse(input);
        }
        catch (FormatException)
        {
            return;
        }

        FuzzInvariantException.Check(header.Serialize().AsSpan().SequenceEqual(input), "a parsed header re-serializes to its input");

        // A header from a headers answer is weighed and checked before its block is ever fetched.
        _ = Target.GetBlockWork(header.Bits);
        foreach (var network in ConsensusParams.All)
        {
            _ = Target.CheckProofOfWork(header.GetHash(), header.Bits, network);
        }
    }
}
