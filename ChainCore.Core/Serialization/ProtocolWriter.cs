using System.Buffers;
using System.Buffers.Binary;

namespace ChainCore.Core.Serialization;

/// <summary>Writes the protocol's canonical little-endian binary format.</summary>
public sealed class ProtocolWriter
{
    private readonly ArrayBufferWriter<byte> _buffer;

    public ProtocolWriter(int initialCapacity = 256) => _buffer = new ArrayBufferWriter<byte>(initialCapacity);

    public int Length => _buffer.WrittenCount;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.WrittenSpan;

    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();

    public void WriteByte(byte value)
    {
        _buffer.GetSpan(1)[0] = value;
        _buffer.Advance(1);
    }

    public void WriteInt32(int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.GetSpan(4), value);
        _buffer.Advance(4);
    }

    public void WriteUInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.GetSpan(4), value);
        _buffer.Advance(4);
    }

    public void WriteInt64(long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(_buffer.GetSpan(8), value);
        _buffer.Advance(8);
    }

    public void WriteBytes(ReadOnlySpan<byte> bytes) => _buffer.Write(bytes);

    /// <summary>Bitcoin's CompactSize: 1, 3, 5 or 9 bytes.</summary>
    public void WriteCompactSize(ulong value)
    {
        if (value < 0xFD)
        {
            WriteByte((byte)value);
        }
        else if (value <= ushort.MaxValue)
        {
            WriteByte(0xFD);
            BinaryPrimitives.WriteUInt16LittleEndian(_buffer.GetSpan(2), (ushort)value);
            _buffer.Advance(2);
        }
        else if (value <= uint.MaxValue)
        {
            WriteByte(0xFE);
            WriteUInt32((uint)value);
        }
        else
        {
            WriteByte(0xFF);
            BinaryPrimitives.WriteUInt64LittleEndian(_buffer.GetSpan(8), value);
            _buffer.Advance(8);
        }
    }

    public void WriteVarBytes(ReadOnlySpan<byte> bytes)
    {
        WriteCompactSize((ulong)bytes.Length);
        WriteBytes(bytes);
    }

    public static int CompactSizeLength(ulong value) => value switch
    {
        < 0xFD => 1,
        <= ushort.MaxValue => 3,
        <= uint.MaxValue => 5,
        _ => 9,
    };
}
