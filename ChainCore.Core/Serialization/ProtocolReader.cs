using System.Buffers.Binary;

namespace ChainCore.Core.Serialization;

/// <summary>
/// Reads the canonical binary format. Every read is bounds-checked and throws
/// <see cref="FormatException"/> on truncated or non-canonical input, so a peer's bytes can never
/// cause anything but a clean refusal.
/// </summary>
public ref struct ProtocolReader
{
    private readonly ReadOnlySpan<byte> _data;

    public ProtocolReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        Position = 0;
    }

    public int Position { get; private set; }

    public readonly int Remaining => _data.Length - Position;

    public readonly bool AtEnd => Position == _data.Length;

    public ReadOnlySpan<byte> ReadBytes(int count)
    {
        if (count < 0 || count > Remaining)
        {
            throw new FormatException($"Unexpected end of data: needed {count} bytes at offset {Position}, {Remaining} left.");
        }

        var slice = _data.Slice(Position, count);
        Position += count;
        return slice;
    }

    public byte ReadByte() => ReadBytes(1)[0];

    public int ReadInt32() => BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4));

    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4));

    public long ReadInt64() => BinaryPrimitives.ReadInt64LittleEndian(ReadBytes(8));

    /// <summary>Reads a CompactSize and refuses non-minimal encodings, as Bitcoin does.</summary>
    public ulong ReadCompactSize()
    {
        var first = ReadByte();
        ulong value;
        ulong minimum;
        switch (first)
        {
            case < 0xFD:
                return first;
            case 0xFD:
                value = BinaryPrimitives.ReadUInt16LittleEndian(ReadBytes(2));
                minimum = 0xFD;
                break;
            case 0xFE:
                value = ReadUInt32();
                minimum = 0x10000;
                break;
            default:
                value = BinaryPrimitives.ReadUInt64LittleEndian(ReadBytes(8));
                minimum = 0x100000000;
                break;
        }

        if (value < minimum)
        {
            throw new FormatException("Non-canonical CompactSize encoding.");
        }

        return value;
    }

    /// <summary>Reads a count of items, each at least <paramref name="minItemSize"/> bytes, so a forged count cannot allocate more than the data holds.</summary>
    public int ReadCount(int minItemSize)
    {
        var count = ReadCompactSize();
        if (count > (ulong)(Remaining / Math.Max(1, minItemSize)))
        {
            throw new FormatException($"Item count {count} exceeds what the remaining {Remaining} bytes can hold.");
        }

        return (int)count;
    }

    public ReadOnlySpan<byte> ReadVarBytes()
    {
        var length = ReadCompactSize();
        if (length > (ulong)Remaining)
        {
            throw new FormatException($"Byte string of length {length} exceeds the remaining {Remaining} bytes.");
        }

        return ReadBytes((int)length);
    }

    public readonly void EnsureEnd()
    {
        if (!AtEnd)
        {
            throw new FormatException($"{Remaining} unexpected trailing bytes.");
        }
    }
}
