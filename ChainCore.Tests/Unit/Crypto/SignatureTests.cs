using System.Text;
using ChainCore.Core.Crypto;
using ChainCore.Core.Serialization;
using BigInteger = System.Numerics.BigInteger;
using ChainCore.Tests.Harness;

namespace ChainCore.Tests.Unit.Crypto;

[TestFixture, Category("Unit"), Category("Crypto")]
public sealed class SignatureTests
{
    private static readonly BigInteger N = BigInteger.Parse("0FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", System.Globalization.NumberStyles.HexNumber);

    // Source: the deterministic ECDSA (RFC 6979, HMAC-SHA256) secp256k1 vectors published with
    // python-ecdsa and used by Trezor and bitcoinjs: message hashed once with SHA-256, low-S form.
    [TestCase("0000000000000000000000000000000000000000000000000000000000000001", "Satoshi Nakamoto",
        "934b1ea10a4b3c1757e2b0c017d0b6143ce3c9a7e6a4a49860d7a6ab210ee3d8",
        "2442ce9d2b916064108014783e923ec36b49743e2ffa1c4496f01a512aafd9e5")]
    [TestCase("0000000000000000000000000000000000000000000000000000000000000001", "All those moments will be lost in time, like tears in rain. Time to die...",
        "8600dbd41e348fe5c9465ab92d23e3db8b98b873beecd930736488696438cb6b",
        "547fe64427496db33bf66019dacbf0039c04199abb0122918601db38a72cfc21")]
    public void Signing_matches_published_RFC6979_vectors(string key, string message, string r, string s)
    {
        var hash = Hashes.Sha256(Encoding.ASCII.GetBytes(message));

        var der = PrivateKey.FromHex(key).Sign(hash);

        DerSignature.TryDecode(der, out var actualR, out var actualS).ShouldBeTrue();
        Hex.Encode(actualR.ToByteArray(isUnsigned: true, isBigEndian: true)).PadLeft(64, '0').ShouldBe(r);
        Hex.Encode(actualS.ToByteArray(isUnsigned: true, isBigEndian: true)).PadLeft(64, '0').ShouldBe(s);
        PrivateKey.FromHex(key).PublicKey.Verify(hash, der).ShouldBeTrue();
    }

    [Test]
    public void Signing_is_deterministic_strict_DER_and_low_S()
    {
        var random = TestSeed.NewRandom(6979);
        for (var i = 0; i < 200; i++)
        {
            var key = RandomKey(random);
            var hash = RandomHash(random);

            var first = key.Sign(hash);
            var second = key.Sign(hash);

            second.ShouldBe(first);
            DerSignature.IsStrictlyEncoded(first).ShouldBeTrue();
            DerSignature.IsLowS(first).ShouldBeTrue();
            key.PublicKey.Verify(hash, first).ShouldBeTrue();
        }
    }

    [Test]
    public void Changing_any_byte_of_signature_hash_or_key_makes_verification_fail()
    {
        var random = TestSeed.NewRandom(1);
        var key = RandomKey(random);
        var hash = RandomHash(random);
        var signature = key.Sign(hash);
        var publicKey = key.PublicKey.ToBytes();

        for (var i = 0; i < signature.Length; i++)
        {
            var tampered = (byte[])signature.Clone();
            tampered[i] ^= 0x01;
            key.PublicKey.Verify(hash, tampered).ShouldBeFalse($"signature byte {i}");
        }

        for (var i = 0; i < hash.Length; i++)
        {
            var tampered = (byte[])hash.Clone();
            tampered[i] ^= 0x80;
            key.PublicKey.Verify(tampered, signature).ShouldBeFalse($"hash byte {i}");
        }

        for (var i = 0; i < publicKey.Length; i++)
        {
            var tampered = (byte[])publicKey.Clone();
            tampered[i] ^= 0x01;
            if (PublicKey.TryFromBytes(tampered, out var other))
            {
                other!.Verify(hash, signature).ShouldBeFalse($"public key byte {i}");
            }
        }
    }

    [Test]
    public void High_S_form_of_a_valid_signature_is_refused()
    {
        var key = PrivateKey.FromHex("00000000000000000000000000000000000000000000000000000000000000aa");
        var hash = Hashes.Sha256("high s"u8);
        var signature = key.Sign(hash);
        DerSignature.TryDecode(signature, out var r, out var s).ShouldBeTrue();
        var malleated = DerSignature.Encode(r, N - s);

        DerSignature.IsLowS(malleated).ShouldBeFalse();
        key.PublicKey.Verify(hash, malleated).ShouldBeFalse();
    }

    [Test]
    public void Non_DER_encodings_are_refused()
    {
        var key = PrivateKey.FromHex("00000000000000000000000000000000000000000000000000000000000000bb");
        var hash = Hashes.Sha256("der"u8);
        var sig = key.Sign(hash);
        int lenR = sig[3];

        byte[] trailingGarbage = [.. sig, 0x00];
        byte[] wrongSequenceTag = [0x31, .. sig[1..]];
        byte[] wrongTotalLength = [sig[0], (byte)(sig[1] + 1), .. sig[2..]];
        byte[] wrongIntegerTag = [.. sig[..2], 0x03, .. sig[3..]];
        var paddedR = new List<byte>(sig[..4]) { 0x00 };
        paddedR.AddRange(sig[4..]);
        paddedR[1]++;
        paddedR[3]++;
        var negativeR = (byte[])sig.Clone();
        negativeR[4] |= 0x80;
        byte[] zeroR = [0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x01];
        byte[] zeroLengthS = [0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x00, 0x01];

        foreach (var (name, bad) in new (string, byte[])[]
        {
            ("trailing garbage", trailingGarbage), ("wrong sequence tag", wrongSequenceTag), ("wrong total length", wrongTotalLength),
            ("wrong integer tag", wrongIntegerTag), ("unneeded zero padding of R", [.. paddedR]), ("negative R", negativeR),
            ("R zero", zeroR), ("S of length zero", zeroLengthS), ("empty", []), ("truncated", sig[..^1]),
            ("S length past the end", [.. sig[..(5 + lenR)], (byte)(sig[5 + lenR] + 1), .. sig[(6 + lenR)..]]),
        })
        {
            key.PublicKey.Verify(hash, bad).ShouldBeFalse(name);
        }
    }

    [Test]
    public void R_or_S_out_of_range_is_refused()
    {
        var key = PrivateKey.FromHex("00000000000000000000000000000000000000000000000000000000000000cc");
        var hash = Hashes.Sha256("range"u8);
        var signature = key.Sign(hash);
        DerSignature.TryDecode(signature, out var r, out var s).ShouldBeTrue();

        key.PublicKey.Verify(hash, DerSignature.Encode(N, BigInteger.One)).ShouldBeFalse();
        key.PublicKey.Verify(hash, DerSignature.Encode(r + N, s)).ShouldBeFalse("r + n names the same point's x but is out of range");
        key.PublicKey.Verify(hash, DerSignature.Encode(BigInteger.One, BigInteger.Zero)).ShouldBeFalse();
        key.PublicKey.Verify(hash, DerSignature.Encode(BigInteger.Zero, s)).ShouldBeFalse();
        key.PublicKey.Verify(hash, DerSignature.Encode(r, s)).ShouldBeTrue();
        key.PublicKey.Verify(hash[..31], key.Sign(hash)).ShouldBeFalse();
        Should.Throw<ArgumentException>(() => key.Sign(hash[..31]));
    }

    [Test]
    public void Public_keys_parse_compressed_and_uncompressed_forms_of_the_same_point()
    {
        var key = PrivateKey.FromHex("0000000000000000000000000000000000000000000000000000000000000001");
        var uncompressed = key.PublicKey.ToUncompressedBytes();

        uncompressed.Length.ShouldBe(65);
        Hex.Encode(uncompressed).ShouldBe("0479be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8");
        PublicKey.FromBytes(uncompressed).ShouldBe(key.PublicKey);
        PublicKey.FromBytes(key.PublicKey.ToBytes()).ShouldBe(key.PublicKey);
        key.PublicKey.GetHashCode().ShouldBe(PublicKey.FromBytes(uncompressed).GetHashCode());
    }

    [TestCase("")]
    [TestCase("02")]
    [TestCase("0579be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798")]
    [TestCase("0479be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798")]
    [TestCase("020000000000000000000000000000000000000000000000000000000000000000")]
    [TestCase("02fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc30")]
    [TestCase("0479be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b9")]
    [TestCase("0679be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8")]
    public void Bytes_that_are_not_a_curve_point_are_refused(string hex)
    {
        Should.Throw<FormatException>(() => PublicKey.FromBytes(Hex.Decode(hex)));
        PublicKey.TryFromBytes(Hex.Decode(hex), out _).ShouldBeFalse();
    }

    [TestCase("0000000000000000000000000000000000000000000000000000000000000000")]
    [TestCase("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")]
    [TestCase("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364142")]
    [TestCase("01")]
    [TestCase("zz00000000000000000000000000000000000000000000000000000000000001")]
    [TestCase("00000000000000000000000000000000000000000000000000000000000000000001")]
    public void Private_keys_outside_one_to_n_minus_one_are_refused(string hex) =>
        Should.Throw<FormatException>(() => PrivateKey.FromHex(hex));

    [Test]
    public void Private_keys_round_trip_through_hex_and_bytes()
    {
        var largest = PrivateKey.FromHex("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140");
        var generated = PrivateKey.Generate();

        PrivateKey.FromHex(largest.ToHex()).PublicKey.ShouldBe(largest.PublicKey);
        PrivateKey.FromBytes(generated.ToBytes()).PublicKey.ShouldBe(generated.PublicKey);
        PrivateKey.FromHex("0000000000000000000000000000000000000000000000000000000000000001").ToBytes().Length.ShouldBe(32);
        generated.ToString().ShouldContain(generated.PublicKey.ToAddress().ToString());
        Should.Throw<FormatException>(() => PrivateKey.FromBytes(new byte[31]));
    }

    private static PrivateKey RandomKey(Random random)
    {
        var bytes = new byte[32];
        random.NextBytes(bytes);
        bytes[0] &= 0x7f;
        bytes[31] |= 1;
        return PrivateKey.FromBytes(bytes);
    }

    private static byte[] RandomHash(Random random)
    {
        var hash = new byte[32];
        random.NextBytes(hash);
        return hash;
    }
}
