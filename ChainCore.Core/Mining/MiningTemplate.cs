using System.Buffers.Binary;
using ChainCore.Core.Api;
using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;
using ChainCore.Core.Serialization;

namespace ChainCore.Core.Mining;

/// <summary>A block to mine, as the node handed it out: the block with nonce 0 and the target its bits encode.</summary>
public sealed class MiningTemplate
{
    private MiningTemplate(Block block, int height, PowTarget target, MiningTemplateResponse? response)
    {
        Block = block;
        Height = height;
        Target = target;
        Response = response;
    }

    public Block Block { get; }

    public int Height { get; }

    public PowTarget Target { get; }

    public Hash256 PreviousHash => Block.Header.PreviousHash;

    /// <summary>The node's answer this template came from, when it came from a node.</summary>
    public MiningTemplateResponse? Response { get; }

    public static MiningTemplate FromResponse(MiningTemplateResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var block = Block.ParseHex(response.BlockHex);
        if (!Hex.TryDecode(response.Target, out var targetBytes) || targetBytes.Length != Hash256.Size)
        {
            throw new FormatException("The template's target is not 64 hex digits.");
        }

        // The target is shown as a big-endian number; a Hash256 holds it little-endian.
        targetBytes.AsSpan().Reverse();
        return new MiningTemplate(block, response.Height, PowTarget.FromValue(new Hash256(targetBytes)), response);
    }

    /// <summary>A template built here (benchmarks, tests): <paramref name="block"/> searched against <paramref name="target"/>.</summary>
    public static MiningTemplate Create(Block block, int height, PowTarget target) => new(block, height, target, null);

    /// <summary>
    /// The block with <paramref name="extraNonce"/> appended to the coinbase data (and so a new merkle
    /// root): a fresh 2^32 nonces to search. Extra nonce 0 is the template as given.
    /// </summary>
    public Block WithExtraNonce(ulong extraNonce)
    {
        if (extraNonce == 0)
        {
            return Block;
        }

        var coinbase = Block.Transactions[0];
        var input = coinbase.Inputs[0];
        Span<byte> nonce = stackalloc byte[sizeof(ulong)];
        BinaryPrimitives.WriteUInt64LittleEndian(nonce, extraNonce);
        var rolled = new Transaction(coinbase.Version, [input with { Signature = [.. input.Signature, .. nonce] }], coinbase.Outputs, coinbase.LockTime);
        var transactions = Block.Transactions.SetItem(0, rolled);
        var header = Block.Header with { MerkleRoot = MerkleTree.ComputeRoot(transactions), Nonce = 0 };
        return new Block(header, transactions);
    }

    /// <summary>True when both would have a miner search the same work: same parent and same transactions.</summary>
    public bool SameWorkAs(MiningTemplate other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return PreviousHash == other.PreviousHash
            && Block.Transactions.Length == other.Block.Transactions.Length
            && Block.Transactions.Skip(1).Select(t => t.TxId).SequenceEqual(other.Block.Transactions.Skip(1).Select(t => t.TxId));
    }

    public override string ToString() => $"template at height {Height} on {PreviousHash} ({Block.Transactions.Length} txs)";
}
