using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Digests;

namespace ChainCore.Core.Crypto;

/// <summary>The protocol's hash functions: SHA256d for ids and proof of work, Hash160 for addresses.</summary>
public static class Hashes
{
    public static byte[] Sha256d(ReadOnlySpan<byte> data)
    {
        var result = new byte[32];
        Sha256d(data, result);
        return result;
    }

    public static void Sha256d(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        Span<byte> first = stackalloc byte[32];
        SHA256.HashData(data, first);
        SHA256.HashData(first, destination);
    }

    public static byte[] Sha256(ReadOnlySpan<byte> data) => SHA256.HashData(data);

    public static byte[] Hash160(ReadOnlySpan<byte> data)
    {
        Span<byte> sha = stackalloc byte[32];
        SHA256.HashData(data, sha);
        var ripemd = new RipeMD160Digest();
        ripemd.BlockUpdate(sha);
        var result = new byte[20];
        ripemd.DoFinal(result);
        return result;
    }
}
