using System.Buffers.Binary;
using ChainCore.Core.Serialization;

namespace ChainCore.Core.Primitives;

/// <summary>
/// Bitcoin's 80-byte block header: version (int32 LE), previous block hash, merkle root,
/// time (uint32 LE Unix seconds), bits (compact target), nonce. Hash = SHA256d(header).
/// </summary>
public readonly record struct BlockHeader(int Version, Hash256 PreviousHash, Hash256 MerkleRoot, uint Time, uint Bits, uint Nonce)
{
    public const int Size = 80;

    public static BlockHeader Parse(ReadOnlySpan<byte> data)
    {
        if (data.Length != Size)
        {
            throw new FormatException($"A block header is {Size} bytes, got {data.Length}.");
        }

        var reader = new ProtocolReader(data);
        return Read(ref reader);
    }

    public static BlockHeader Read(ref ProtocolReader reader) => new(
        reader.ReadInt32(),
        new Hash256(reader.ReadBytes(Hash256.Size)),
        new Hash256(reader.ReadBytes(Hash256.Size)),
        reader.ReadUInt32(),
        reader.ReadUInt32(),
        reader.ReadUInt32());

    public void WriteTo(Span<byte> destination)
    {
        if (destination.Length < Size)
        {
            throw new ArgumentException($"Need {Size} bytes.", nameof(destination));
        }

        BinaryPrimitives.WriteInt32LittleEndian(destination, Version);
        PreviousHash.WriteTo(destination[4..]);
        MerkleRoot.WriteTo(destination[36..]);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[68..], Time);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[72..], Bits);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[76..], Nonce);
    }

    public byte[] Serialize()
    {
        var bytes = new byte[Size];
        WriteTo(bytes);
        return bytes;
    }

    public Hash256 GetHash()
    {
        Span<byte> bytes = stackalloc byte[Size];
        WriteTo(bytes);
        return Hash256.Compute(bytes);
    }
}
