using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using ChainCore.Core.Crypto;

namespace ChainCore.Benchmarks.Crypto;

/// <summary>
/// The secp256k1 choice: ChainCore's keys (libsecp256k1, RFC 6979) against .NET's
/// OpenSSL-backed ECDsa on the same curve, sign and verify of one 32-byte hash.
/// </summary>
[MemoryDiagnoser]
public class Secp256k1Benchmarks
{
    private readonly byte[] _hash = SHA256.HashData("ChainCore benchmark"u8);
    private PrivateKey _key = null!;
    private byte[] _signature = null!;
    private ECDsa _dotnet = null!;
    private byte[] _dotnetSignature = null!;

    [GlobalSetup]
    public void Setup()
    {
        _key = PrivateKey.FromHex("c0ffee00000000000000000000000000000000000000000000000000000000aa");
        _signature = _key.Sign(_hash);
        _dotnet = ECDsa.Create(ECCurve.CreateFromFriendlyName("secP256k1"));
        _dotnetSignature = _dotnet.SignHash(_hash);
    }

    [GlobalCleanup]
    public void Cleanup() => _dotnet.Dispose();

    [Benchmark]
    public byte[] ChainCore_sign() => _key.Sign(_hash);

    [Benchmark]
    public bool ChainCore_verify() => _key.PublicKey.Verify(_hash, _signature);

    [Benchmark]
    public byte[] DotNet_ECDsa_sign() => _dotnet.SignHash(_hash);

    [Benchmark]
    public bool DotNet_ECDsa_verify() => _dotnet.VerifyHash(_hash, _dotnetSignature);
}
