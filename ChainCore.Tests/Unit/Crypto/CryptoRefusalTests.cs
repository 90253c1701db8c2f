using System.Numerics;
using ChainCore.Core.Crypto;
using ChainCore.Core.Serialization;
using ChainCore.Tests.Fixtures;

namespace ChainCore.Tests.Unit.Crypto;

/// <summary>
/// Keys, addresses, signatures and the wire reader refuse bad input with a message that says what was
/// expected, and their limits hold at the edge: the words an operator or a peer's log reads.
/// </summary>
[TestFixture, Category("Unit"), Category("Crypto")]
public sealed class CryptoRefusalTests
{
    [Test]
    public void An_address_has_26_to_35_characters_and_one_of_those_lengths_is_read_as_base58()
    {
        Should.Throw<FormatException>(() => Address.Parse(new string('2', 25))).Message.ShouldContain("26 to 35 Base58 characters");
        Should.Throw<FormatException>(() => Address.Parse(new string('2', 36))).Message.ShouldContain("26 to 35 Base58 characters");
        Should.Throw<FormatException>(() => Address.Parse(new string('2', 26))).Message.ShouldContain("bad Base58 characters or checksum");
        Should.Throw<FormatException>(() => Address.Parse(new string('2', 35))).Message.ShouldContain("bad Base58 characters or checksum");
        Should.Throw<ArgumentException>(() => Address.FromPublicKeyHash(new byte[19])).Message.ShouldContain("A public key hash is 20 bytes.");
    }

    [Test]
    public void Base58_refuses_a_character_outside_ascii_by_name_and_an_empty_checked_payload_round_trips()
    {
        Should.Throw<FormatException>(() => Base58.Decode("2\u0080")).Message.ShouldBe("'\u0080' at position 1 is not a Base58 character.");
        Base58Check.TryDecode(Base58Check.Encode([]), out var payload).ShouldBeTrue("four checksum bytes and nothing else is an empty payload");
        payload.ShouldBeEmpty();
        Base58Check.TryDecode(Base58.Encode([1, 2, 3]), out _).ShouldBeFalse("three bytes cannot hold a checksum");
    }

    [Test]
    public void Private_keys_say_the_size_and_range_they_need()
    {
        Should.Throw<FormatException>(() => PrivateKey.FromBytes(new byte[31])).Message.ShouldBe("A private key is 32 bytes, got 31.");
        Should.Throw<FormatException>(() => PrivateKey.FromBytes(new byte[32])).Message.ShouldBe("A private key must be between 1 and the curve order minus 1.");
        Should.Throw<FormatException>(() => PrivateKey.FromHex("abcd")).Message.ShouldBe("A private key is 64 hex digits.");
        var key = TestData.AliceKey;
        Should.Throw<ArgumentException>(() => key.Sign(new byte[31])).Message.ShouldStartWith("Sign a 32-byte hash.");
    }

    [Test]
    public void Public_keys_say_which_shapes_they_take_and_that_the_point_must_be_on_the_curve()
    {
        Should.Throw<FormatException>(() => PublicKey.FromBytes(new byte[10])).Message.ShouldBe("A public key is 33 bytes starting 02 or 03, or 65 bytes starting 04.");
        var notOnCurve = new byte[33];
        notOnCurve[0] = 0x02;
        notOnCurve[32] = 0x05; // x = 5: 5³ + 7 = 132 is not a square modulo p
        Should.Throw<FormatException>(() => PublicKey.FromBytes(notOnCurve)).Message.ShouldBe("The public key is not a point on secp256k1.");
    }

    [Test]
    public void Der_integers_decode_big_endian_whatever_their_first_byte()
    {
        var r = BigInteger.Parse("00f1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff01", System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
        var s = new BigInteger(0x0102);

        DerSignature.TryDecode(DerSignature.Encode(r, s), out var decodedR, out var decodedS).ShouldBeTrue();

        decodedR.ShouldBe(r);
        decodedS.ShouldBe(s);
        Should.Throw<ArgumentException>(() => DerSignature.Encode(-r, s)).Message.ShouldBe("r and s are non-negative.");
    }

    [Test]
    public void Hex_and_the_wire_reader_say_what_they_expected()
    {
        Should.Throw<FormatException>(() => Hex.Decode("abc")).Message.ShouldBe("Hex string must have an even number of digits.");
        Should.Throw<FormatException>(() => Hex.Decode("zz")).Message.ShouldBe("Hex string contains a character that is not a hex digit.");
        Should.Throw<FormatException>(() => new ProtocolReader([1, 2]).ReadBytes(4)).Message.ShouldBe("Unexpected end of data: needed 4 bytes at offset 0, 2 left.");
        Should.Throw<FormatException>(() => new ProtocolReader([0xfd, 0x05, 0x00]).ReadCompactSize()).Message.ShouldBe("Non-canonical CompactSize encoding.");
        Should.Throw<FormatException>(() => new ProtocolReader([5, 1, 2]).ReadVarBytes().ToArray()).Message.ShouldBe("Byte string of length 5 exceeds the remaining 2 bytes.");
        Should.Throw<FormatException>(() =>
        {
            var reader = new ProtocolReader([7, 1, 2]);
            reader.ReadByte();
            reader.EnsureEnd();
        }).Message.ShouldBe("2 unexpected trailing bytes.");
    }
}
