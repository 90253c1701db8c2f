using BigInteger = Org.BouncyCastle.Math.BigInteger;

namespace ChainCore.Core.Crypto;

/// <summary>Strict DER encoding of ECDSA signatures (BIP 66) and the low-S rule (BIP 62).</summary>
public static class DerSignature
{
    public const int MaxSize = 72;

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

    /// <summary>Reads r and s from a strictly encoded signature; false if the encoding is not strict.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> sig, out BigInteger r, out BigInteger s)
    {
        r = BigInteger.Zero;
        s = BigInteger.Zero;
        if (!IsStrictlyEncoded(sig))
        {
            return false;
        }

        int lenR = sig[3];
        int lenS = sig[5 + lenR];
        r = new BigInteger(1, sig.Slice(4, lenR).ToArray());
        s = new BigInteger(1, sig.Slice(6 + lenR, lenS).ToArray());
        return true;
    }

    public static byte[] Encode(BigInteger r, BigInteger s)
    {
        var rBytes = r.ToByteArray();
        var sBytes = s.ToByteArray();
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

    /// <summary>Whether s is in the lower half of the group order, the only form BIP 62 accepts.</summary>
    public static bool IsLowS(ReadOnlySpan<byte> sig) =>
        TryDecode(sig, out _, out var s) && s.CompareTo(Secp256k1.HalfN) <= 0;
}
