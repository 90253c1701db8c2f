using System.Text.Json;
using ChainCore.Core.Crypto;
using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.EC;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using BcBigInteger = Org.BouncyCastle.Math.BigInteger;
using BigInteger = System.Numerics.BigInteger;
using ChainCore.Tests.Harness;

namespace ChainCore.Tests.Unit.Crypto;

/// <summary>
/// libsecp256k1 (the node's signer and verifier) against an independent implementation,
/// BouncyCastle's ECDSA with RFC 6979 nonces, and the native library's presence for every platform.
/// </summary>
[TestFixture, Category("Unit"), Category("Crypto")]
public sealed class NativeSecp256k1Tests
{
    private static readonly X9ECParameters Curve = CustomNamedCurves.GetByName("secp256k1");
    private static readonly ECDomainParameters Domain = new(Curve.Curve, Curve.G, Curve.N, Curve.H);

    [Test]
    public void Signatures_equal_the_reference_RFC6979_signatures_in_low_S_form()
    {
        var random = TestSeed.NewRandom(42);
        for (var i = 0; i < 100; i++)
        {
            var secret = RandomSecret(random);
            var hash = RandomBytes(random, 32);

            var signature = PrivateKey.FromBytes(secret).Sign(hash);

            Convert.ToHexString(signature).ShouldBe(Convert.ToHexString(ReferenceSign(secret, hash)), $"key {Convert.ToHexString(secret)}");
        }
    }

    [Test]
    public void Verification_agrees_with_the_reference_on_valid_tampered_and_foreign_signatures()
    {
        var random = TestSeed.NewRandom(7);
        for (var i = 0; i < 100; i++)
        {
            var secret = RandomSecret(random);
            var key = PrivateKey.FromBytes(secret);
            var hash = RandomBytes(random, 32);
            var signature = ReferenceSign(secret, hash);
            var tampered = (byte[])signature.Clone();
            tampered[random.Next(8, tampered.Length)] ^= (byte)(1 << random.Next(8));
            var otherHash = RandomBytes(random, 32);

            foreach (var (h, sig, name) in new[] { (hash, signature, "valid"), (hash, tampered, "tampered"), (otherHash, signature, "other hash") })
            {
                key.PublicKey.Verify(h, sig).ShouldBe(ReferenceVerify(key.PublicKey, h, sig), $"{name} #{i}");
            }
        }
    }

    [Test]
    public void High_S_twin_verifies_for_the_reference_but_not_for_the_node()
    {
        var key = PrivateKey.FromHex("00000000000000000000000000000000000000000000000000000000000000dd");
        var hash = Hashes.Sha256("malleable"u8);
        DerSignature.TryDecode(key.Sign(hash), out var r, out var s).ShouldBeTrue();
        var n = new BigInteger(Curve.N.ToByteArrayUnsigned(), isUnsigned: true, isBigEndian: true);

        var highS = DerSignature.Encode(r, n - s);

        ReferenceVerify(key.PublicKey, hash, highS).ShouldBeTrue();
        key.PublicKey.Verify(hash, highS).ShouldBeFalse();
    }

    [TestCase("linux-x64", "libsecp256k1.so")]
    [TestCase("linux-arm64", "libsecp256k1.so")]
    [TestCase("osx-x64", "libsecp256k1.dylib")]
    [TestCase("osx-arm64", "libsecp256k1.dylib")]
    [TestCase("win-x64", "secp256k1.dll")]
    [TestCase("win-arm64", "secp256k1.dll")]
    public void The_build_carries_the_native_library_for_each_platform(string rid, string file)
    {
        var relative = $"runtimes/{rid}/native/{file}";
        File.Exists(Path.Combine(AppContext.BaseDirectory, relative)).ShouldBeTrue(relative);

        using var deps = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "ChainCore.Tests.deps.json")));
        var listed = deps.RootElement.GetProperty("targets").EnumerateObject()
            .SelectMany(t => t.Value.EnumerateObject())
            .Where(library => library.Value.TryGetProperty("runtimeTargets", out _))
            .SelectMany(library => library.Value.GetProperty("runtimeTargets").EnumerateObject().Select(target => target.Name));
        listed.ShouldContain(relative, "the host resolves native libraries through deps.json");
    }

    private static byte[] ReferenceSign(byte[] secret, byte[] hash)
    {
        var signer = new ECDsaSigner(new HMacDsaKCalculator(new Sha256Digest()));
        signer.Init(true, new ECPrivateKeyParameters(new BcBigInteger(1, secret), Domain));
        var rs = signer.GenerateSignature(hash);
        var s = rs[1].CompareTo(Curve.N.ShiftRight(1)) > 0 ? Curve.N.Subtract(rs[1]) : rs[1];
        return DerSignature.Encode(ToBig(rs[0]), ToBig(s));
    }

    /// <summary>Plain ECDSA over any DER signature that decodes: no low-S rule.</summary>
    private static bool ReferenceVerify(PublicKey key, byte[] hash, byte[] der)
    {
        if (!DerSignature.TryDecode(der, out var r, out var s) || r.IsZero || s.IsZero)
        {
            return false;
        }

        var verifier = new ECDsaSigner();
        verifier.Init(false, new ECPublicKeyParameters(Curve.Curve.DecodePoint(key.ToBytes()), Domain));
        return verifier.VerifySignature(hash, ToBc(r), ToBc(s));
    }

    private static BigInteger ToBig(BcBigInteger value) => new(value.ToByteArrayUnsigned(), isUnsigned: true, isBigEndian: true);

    private static BcBigInteger ToBc(BigInteger value) => new(1, value.ToByteArray(isUnsigned: true, isBigEndian: true));

    private static byte[] RandomSecret(Random random)
    {
        var secret = RandomBytes(random, 32);
        secret[0] &= 0x7f;
        secret[31] |= 1;
        return secret;
    }

    private static byte[] RandomBytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }
}
