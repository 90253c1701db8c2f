using System.Collections.Immutable;
using ChainCore.Core.Primitives;

namespace ChainCore.Core.Consensus;

/// <summary>
/// Coinbase transactions. The coinbase input's data starts with the block height (BIP 34), so two
/// coinbases never share a txid: a length byte (1–4) then the height's minimal little-endian bytes;
/// an optional extra nonce follows.
/// </summary>
public static class Coinbase
{
    public const int MinDataSize = 2;
    public const int MaxDataSize = 100;

    public static byte[] EncodeHeight(int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(height);
        var length = height switch
        {
            <= 0xFF => 1,
            <= 0xFFFF => 2,
            <= 0xFFFFFF => 3,
            _ => 4,
        };
        var bytes = new byte[1 + length];
        bytes[0] = (byte)length;
        for (var i = 0; i < length; i++)
        {
            bytes[1 + i] = (byte)(height >> (8 * i));
        }

        return bytes;
    }

    /// <summary>Reads the height a coinbase's data starts with; false if it does not start with a minimal height encoding.</summary>
    public static bool TryReadHeight(ReadOnlySpan<byte> data, out int height)
    {
        height = 0;
        if (data.Length < 2 || data[0] is < 1 or > 4 || data.Length < 1 + data[0])
        {
            return false;
        }

        var length = data[0];
        var value = 0u;
        for (var i = 0; i < length; i++)
        {
            // Little-endian: each byte at its weight (the bytes never overlap, so adding is or-ing).
            value += (uint)data[1 + i] << (8 * i);
        }

        if (value > int.MaxValue || (length > 1 && data[length] == 0))
        {
            return false;
        }

        height = (int)value;
        return true;
    }

    public static Transaction Create(int height, ReadOnlySpan<byte> publicKeyHash, Amount value, ReadOnlySpan<byte> extraNonce = default) =>
        Create(height, [new TxOut(value, [.. publicKeyHash])], extraNonce);

    public static Transaction Create(int height, ImmutableArray<TxOut> outputs, ReadOnlySpan<byte> extraNonce = default)
    {
        byte[] data = [.. EncodeHeight(height), .. extraNonce];
        if (data.Length > MaxDataSize)
        {
            throw new ArgumentException($"Coinbase data is at most {MaxDataSize} bytes.", nameof(extraNonce));
        }

        var input = new TxIn(OutPoint.Null, [.. data], []);
        return new Transaction([input], outputs);
    }
}
