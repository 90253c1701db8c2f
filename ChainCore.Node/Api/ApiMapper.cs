using ChainCore.Core.Api;
using ChainCore.Core.Crypto;
using ChainCore.Core.Primitives;
using ChainCore.Core.Serialization;

namespace ChainCore.Node.Api;

/// <summary>Protocol objects to their JSON shapes.</summary>
public static class ApiMapper
{
    public static BlockResponse ToResponse(Block block, int height, int tipHeight, bool withTransactions)
    {
        var h = block.Header;
        return new BlockResponse(
            block.Hash.ToString(),
            height,
            h.Version,
            h.PreviousHash.ToString(),
            h.MerkleRoot.ToString(),
            h.Time,
            h.Bits.ToString("x8", System.Globalization.CultureInfo.InvariantCulture),
            h.Nonce,
            block.SerializedSize,
            block.Transactions.Length,
            tipHeight - height + 1,
            withTransactions ? [.. block.Transactions.Select(tx => ToResponse(tx, block.Hash, height, tipHeight, inMempool: false))] : null,
            withTransactions ? block.ToHex() : null);
    }

    /// <summary>A main-chain block's summary, without its transactions.</summary>
    public static BlockResponse ToSummary(Storage.StoredBlock row, int tipHeight) => new(
        row.Hash.ToString(), row.Height, row.Header.Version, row.Header.PreviousHash.ToString(), row.Header.MerkleRoot.ToString(),
        row.Header.Time, row.Header.Bits.ToString("x8", System.Globalization.CultureInfo.InvariantCulture), row.Header.Nonce,
        row.Size, row.TransactionCount, tipHeight - row.Height + 1, null, null);

    public static TransactionResponse ToResponse(Transaction tx, Hash256? blockHash, int? blockHeight, int tipHeight, bool inMempool) => new(
        tx.TxId.ToString(),
        tx.Version,
        [.. tx.Inputs.Select(input => new TransactionInputResponse(
            input.PreviousOutput.TxId.ToString(),
            input.PreviousOutput.Index,
            Hex.Encode(input.Signature.AsSpan()),
            Hex.Encode(input.PublicKey.AsSpan()),
            tx.IsCoinbase ? null : AddressOfKey(input.PublicKey.AsSpan()),
            tx.IsCoinbase))],
        [.. tx.Outputs.Select((output, index) => new TransactionOutputResponse(index, output.Value.ToCoins(), AddressOf(output)))],
        tx.LockTime,
        tx.SerializedSize,
        tx.IsCoinbase,
        blockHash?.ToString(),
        blockHeight,
        blockHeight is { } height ? tipHeight - height + 1 : 0,
        inMempool,
        tx.ToHex());

    public static string AddressOf(TxOut output) => Address.FromPublicKeyHash(output.PublicKeyHash.AsSpan()).ToString();

    private static string? AddressOfKey(ReadOnlySpan<byte> publicKey) =>
        publicKey.Length is 33 or 65 ? Address.FromPublicKeyHash(Hashes.Hash160(publicKey)).ToString() : null;
}
