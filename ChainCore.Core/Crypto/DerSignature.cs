using System.Numerics;

namespace ChainCore.Core.Crypto;

/// <summary>Strict DER encoding of ECDSA signatures (BIP 66) and the low-S rule (BIP 62).</summary>
public static class DerSignature
{
    public const int MaxSize = 72;

    /// <summary>n / 2 for secp256k1's group order n, big-endian: the largest S that BIP 62 accepts.</summary>
    private static ReadOnlySpan<byte> HalfOrder =>
    [
        0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0x5D, 0x57, 0x6E, 0x73, 0x57, 0xA4, 0x50, 0x1D, 0xDF, 0xE9, 0x2F, 0x46, 0x68, 0x1B, 0x20, 0xA0,
    ];

    /// <summary>BIP 66's <c>IsValidSignatureEncoding</c>, for a signature without a sighash byte.</summary>
    public static bool IsStrictlyEncoded(ReadOnlySpan<byte> sig)
    {
        if (sig.Length is < 8 or > MaxSize || sig[0] != 0x30 || sig[1] != sig.Length - 2)
        {
            return false;
        }

        int lenR = sig[3];
        if (5 + lenR >= sig.Length)
        {
            return false;
        }

        int lenS = sig[5 + lenR];
        if (lenR + lenS + 6 != sig.Length)
        {
            return false;
        }

        if (sig[2] != 0x02 || lenR == 0 || (sig[4] & 0x80) != 0 || (lenR > 1 && sig[4] == 0 && (sig[5] & 0x80) == 0))
        {
            return false;
        }

        return sig[lenR + 4] == 0x02 && lenS != 0 && (sig[lenR + 6] & 0x80) == 0
            && !(lenS > 1 && sig[lenR + 6] == 0 && (sig[lenR + 7] & 0x80) == 0);
    }

    /// <summary>
    /// The only signatures a node accepts: strictly encoded, r and s not zero, s in the lower half
    /// of the group order. (r ≥ n is left to the verifier, which refuses it.)
    /// </summary>
    public static bool IsCanonical(ReadOnlySpan<byte> sig) =>
        TrySplit(sig, out var r, out var s) && !IsZero(r) && !IsZero(s) && IsAtMostHalfOrder(s);

    /// <summary>Whether s is in the lower half of the group order, the only form BIP 62 accepts.</summary>
    public static bool IsLowS(ReadOnlySpan<byte> sig) => TrySplit(sig, out _, out var s) && IsAtMostHalfOrder(s);

    /// <summary>Reads r and s from a strictly encoded signature; false if the encoding is not strict.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> sig, out BigInteger r, out BigInteger s)
    {
        r = BigInteger.Zero;
        s = BigInteger.Zero;
        if (!TrySplit(sig, out var rBytes, out var sBytes))
        {
            return false;
        }

        // Strict DER integers are two's complement with a 0x00 before a high bit: read as signed, they are never negative.
        r = new BigInteger(rBytes, isBigEndian: true);
        s = new BigInteger(sBytes, isBigEndian: true);
        return true;
    }

    /// <summary>Strict DER of two non-negative integers (minimal big-endian, a 0x00 before a high bit).</summary>
    public static byte[] Encode(BigInteger r, BigInteger s)
    {
        if (r.Sign < 0 || s.Sign < 0)
        {
            throw new ArgumentException("r and s are non-negative.");
        }

        var rBytes = r.ToByteArray(isUnsigned: false, isBigEndian: true);
        var sBytes = s.ToByteArray(isUnsigned: false, isBigEndian: true);
        var result = new byte[6 + rBytes.Length + sBytes.Length];
        result[0] = 0x30;
        result[1] = (byte)(result.Length - 2);
        result[2] = 0x02;
        result[3] = (byte)rBytes.Length;
        rBytes.CopyTo(result, 4);
        result[4 + rBytes.Length] = 0x02;
        result[5 + rBytes.Length] = (byte)sBytes.Length;
        sBytes.CopyTo(result, 6 + rBytes.Length);
        return result;
    }

    /// <summary>The big-endian bytes of r and s (sign padding included) of a strictly encoded signature.</summary>
    private static bool TrySplit(ReadOnlySpan<byte> sig, out ReadOnlySpan<byte> r, out ReadOnlySpan<byte> s)
    {
        r = default;
        s = default;
        if (!IsStrictlyEncoded(sig))
        {
            return false;
        }

        int lenR = sig[3];
        r = sig.Slice(4, lenR);
        s = sig.Slice(6 + lenR, sig[5 + lenR]);
        return true;
    }

    private static bool IsZero(ReadOnlySpan<byte> value) => value.IndexOfAnyExcept((byte)0) < 0;

    private static bool IsAtMostHalfOrder(ReadOnlySpan<byte> value)
    {
        var first = value.IndexOfAnyExcept((byte)0);
        if (first < 0)
        {
            return true;
        }

        var digits = value[first..];
        return digits.Length < HalfOrder.Length || (digits.Length == HalfOrder.Length && digits.SequenceCompareTo(HalfOrder) <= 0);
    }
}
