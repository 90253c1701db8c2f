using Native = Secp256k1Net.Secp256k1;

namespace ChainCore.Core.Crypto;

/// <summary>
/// The secp256k1 curve through libsecp256k1 (Bitcoin Core's library, via the Secp256k1.Net
/// package, which ships it for Linux, macOS and Windows). One context serves the process: it is
/// created once and never randomized or changed afterwards, and libsecp256k1's parse, sign and
/// verify only read it, so every thread and every node may share it.
/// </summary>
internal static class Secp256k1
{
    /// <summary>Size of libsecp256k1's parsed public key (its internal <c>secp256k1_pubkey</c>).</summary>
    public const int ParsedPublicKeySize = 64;

    private const int ParsedSignatureSize = 64;

    private static readonly Native Context = new();

    /// <summary>Parses a SEC1 public key; false if it is not a point on the curve.</summary>
    public static bool TryParsePublicKey(ReadOnlySpan<byte> sec1, Span<byte> parsed) => Context.EcPubkeyParse(parsed, sec1);

    public static byte[] SerializePublicKey(ReadOnlySpan<byte> parsed, bool compressed)
    {
        var output = new byte[compressed ? PublicKey.CompressedSize : PublicKey.UncompressedSize];
        var length = (nuint)output.Length;
        Context.EcPubkeySerialize(output, ref length, parsed, compressed ? Secp256k1Net.Secp256k1EcFlags.Compressed : Secp256k1Net.Secp256k1EcFlags.Uncompressed);
        return output;
    }

    public static bool IsValidSecretKey(ReadOnlySpan<byte> secret) => secret.Length == PrivateKey.Size && Context.EcSeckeyVerify(secret);

    public static byte[] CreatePublicKey(ReadOnlySpan<byte> secret)
    {
        var parsed = new byte[ParsedPublicKeySize];
        if (!Context.EcPubkeyCreate(parsed, secret))
        {
            throw new ArgumentException("Not a valid secret key.", nameof(secret));
        }

        return parsed;
    }

    /// <summary>
    /// ECDSA verify of a DER signature over a 32-byte hash by a parsed key. libsecp256k1 itself
    /// refuses high-S signatures and r or s outside [1, n − 1]; its DER parser is more lenient
    /// than BIP 66, so callers check strict encoding first (<see cref="DerSignature.IsCanonical"/>).
    /// </summary>
    public static bool Verify(ReadOnlySpan<byte> parsedKey, ReadOnlySpan<byte> hash32, ReadOnlySpan<byte> der)
    {
        Span<byte> signature = stackalloc byte[ParsedSignatureSize];
        return Context.EcdsaSignatureParseDer(signature, der) && Context.EcdsaVerify(signature, hash32, parsedKey);
    }

    /// <summary>Signs with libsecp256k1's default nonce, RFC 6979 (HMAC-SHA256); it always yields low S. Returns strict DER.</summary>
    public static byte[] Sign(ReadOnlySpan<byte> hash32, ReadOnlySpan<byte> secret)
    {
        Span<byte> signature = stackalloc byte[ParsedSignatureSize];
        if (!Context.EcdsaSign(signature, hash32, secret))
        {
            throw new ArgumentException("Signing failed: the secret key is not valid.", nameof(secret));
        }

        Span<byte> der = stackalloc byte[DerSignature.MaxSize];
        var length = (nuint)der.Length;
        Context.EcdsaSignatureSerializeDer(der, ref length, signature);
        return der[..(int)length].ToArray();
    }
}
