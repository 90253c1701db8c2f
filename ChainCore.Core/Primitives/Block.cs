using System.Collections.Immutable;
using ChainCore.Core.Serialization;

namespace ChainCore.Core.Primitives;

/// <summary>A header and its transactions, the coinbase first. Serialized: header · count · transactions.</summary>
public sealed class Block : IEquatable<Block>
{
    private readonly Lazy<int> _size;

    public Block(BlockHeader header, ImmutableArray<Transaction> transactions)
    {
        Header = header;
        Transactions = transactions.IsDefault ? [] : transactions;
        Hash = header.GetHash();
        _size = new Lazy<int>(() => BlockHeader.Size
            + ProtocolWriter.CompactSizeLength((ulong)Transactions.Length)
            + Transactions.Sum(tx => tx.SerializedSize));
    }

    public BlockHeader Header { get; }

    public ImmutableArray<Transaction> Transactions { get; }

    public Hash256 Hash { get; }

    public Hash256 GetHash() => Hash;

    public int SerializedSize => _size.Value;

    public Block WithHeader(BlockHeader header) => new(header, Transactions);

    public byte[] Serialize()
    {
        var writer = new ProtocolWriter(SerializedSize);
        Span<byte> header = stackalloc byte[BlockHeader.Size];
        Header.WriteTo(header);
        writer.WriteBytes(header);
        writer.WriteCompactSize((ulong)Transactions.Length);
        foreach (var tx in Transactions)
        {
            tx.WriteTo(writer);
        }

        return writer.ToArray();
    }

    public string ToHex() => Hex.Encode(Serialize());

    public static Block Parse(ReadOnlySpan<byte> data)
    {
        var reader = new ProtocolReader(data);
        var header = BlockHeader.Read(ref reader);
        var count = reader.ReadCount(minItemSize: 10);
        var transactions = ImmutableArray.CreateBuilder<Transaction>(count);
        for (var i = 0; i < count; i++)
        {
            transactions.Add(Transaction.Read(ref reader));
        }

        reader.EnsureEnd();
        return new Block(header, transactions.MoveToImmutable());
    }

    public static Block ParseHex(string hex) => Parse(Hex.Decode(hex));

    public bool Equals(Block? other) => other is not null && Hash == other.Hash;

    public override bool Equals(object? obj) => Equals(obj as Block);

    public override int GetHashCode() => Hash.GetHashCode();

    public override string ToString() => $"block {Hash} ({Transactions.Length} txs)";
}
