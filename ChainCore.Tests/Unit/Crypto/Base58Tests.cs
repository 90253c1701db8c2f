using ChainCore.Core.Crypto;
using ChainCore.Core.Serialization;
using ChainCore.Tests.Harness;

namespace ChainCore.Tests.Unit.Crypto;

[TestFixture, Category("Unit"), Category("Crypto")]
public sealed class Base58Tests
{
    // Source: Bitcoin Core, src/test/data/base58_encode_decode.json (hex payload, Base58 text).
    private static readonly object[] BitcoinCoreVectors =
    [
        new object[] { "", "" },
        new object[] { "61", "2g" },
        new object[] { "626262", "a3gV" },
        new object[] { "636363", "aPEr" },
        new object[] { "73696d706c792061206c6f6e6720737472696e67", "2cFupjhnEsSn59qHXstmK2ffpLv2" },
        new object[] { "00eb15231dfceb60925886b67d065299925915aeb172c06647", "1NS17iag9jJgTHD1VXjvLCEnZuQ3rJDE9L" },
        new object[] { "516b6fcd0f", "ABnLTmg" },
        new object[] { "bf4f89001e670274dd", "3SEo3LWLoPntC" },
        new object[] { "572e4794", "3EFU7m" },
        new object[] { "ecac89cad93923c02321", "EJDM8drfXA6uyA" },
        new object[] { "10c8511e", "Rt5zm" },
        new object[] { "00000000000000000000", "1111111111" },
        new object[] { "000111d38e5fc9071ffcd20b4a763cc9ae4f252bb4e48fd66a835e252ada93ff480d6dd43dc62a641155a5", "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz" },
    ];

    [TestCaseSource(nameof(BitcoinCoreVectors))]
    public void Encodes_and_decodes_Bitcoin_Core_vectors(string hex, string text)
    {
        Base58.Encode(Hex.Decode(hex)).ShouldBe(text);
        Hex.Encode(Base58.Decode(text)).ShouldBe(hex);
    }

    [TestCase("0OIl")]
    [TestCase("3SEo3LWLoPntC ")]
    [TestCase(" 3SEo3LWLoPntC")]
    [TestCase("abc!")]
    [TestCase("é")]
    public void Decoding_a_character_outside_the_alphabet_throws_FormatException(string text) =>
        Should.Throw<FormatException>(() => Base58.Decode(text));

    [Test]
    public void Random_byte_strings_round_trip()
    {
        var random = TestSeed.NewRandom(58);
        for (var i = 0; i < 500; i++)
        {
            var bytes = new byte[random.Next(0, 60)];
            random.NextBytes(bytes);
            if (random.Next(4) == 0 && bytes.Length > 2)
            {
                bytes[0] = 0;
                bytes[1] = 0;
            }

            Base58.Decode(Base58.Encode(bytes)).ShouldBe(bytes);
        }
    }

    [Test]
    public void Base58Check_round_trips_and_refuses_any_changed_character()
    {
        var payload = Hex.Decode("00eb15231dfceb60925886b67d065299925915aeb1");
        var text = Base58Check.Encode(payload);

        Base58Check.TryDecode(text, out var decoded).ShouldBeTrue();
        decoded.ShouldBe(payload);
        const string alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
        for (var i = 0; i < text.Length; i++)
        {
            var replacement = alphabet[(alphabet.IndexOf(text[i], StringComparison.Ordinal) + 1) % alphabet.Length];
            var tampered = text[..i] + replacement + text[(i + 1)..];
            Base58Check.TryDecode(tampered, out _).ShouldBeFalse($"changed position {i}: {tampered}");
        }
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("1")]
    [TestCase("11")]
    [TestCase("0OIl")]
    public void Base58Check_refuses_empty_short_and_invalid_text(string? text) =>
        Base58Check.TryDecode(text, out _).ShouldBeFalse();
}
