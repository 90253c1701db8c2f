using System.Numerics;
using ChainCore.Core.Crypto;
using ChainCore.Core.Serialization;

namespace ChainCore.Tests.Unit.Crypto;

/// <summary>
/// Strict DER (BIP 66) and low S (BIP 62) checked on the encoding alone, at their edges: the shortest
/// and longest encodings, each malformation on its own, and S at exactly half the curve order.
/// </summary>
[TestFixture, Category("Unit")]
public sealed class DerSignatureBoundaryTests
{
    private const string HalfOrder = "7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0";
    private const string AboveHalfOrder = "7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a1";

    private static byte[] Der(string r, string s)
    {
        var rb = Hex.Decode(r);
        var sb = Hex.Decode(s);
        return [0x30, (byte)(4 + rb.Length + sb.Length), 0x02, (byte)rb.Length, .. rb, 0x02, (byte)sb.Length, .. sb];
    }

    [Test]
    public void The_shortest_encoding_of_eight_bytes_is_strict_and_seven_are_not()
    {
        var shortest = Der("01", "01");
        shortest.Length.ShouldBe(8);

        DerSignature.IsStrictlyEncoded(shortest).ShouldBeTrue();
        DerSignature.IsStrictlyEncoded([0x30, 0x05, 0x02, 0x01, 0x01, 0x02, 0x00]).ShouldBeFalse();
        DerSignature.TryDecode(shortest, out var r, out var s).ShouldBeTrue();
        r.ShouldBe(BigInteger.One);
        s.ShouldBe(BigInteger.One);
    }

    [Test]
    public void The_longest_encoding_of_72_bytes_is_strict()
    {
        // Both values have their top bit set, so each needs a zero byte in front: 2 + 35 + 35 bytes.
        var longest = Der("00" + new string('f', 62) + "01", "00" + new string('f', 62) + "02");
        longest.Length.ShouldBe(DerSignature.MaxSize);

        DerSignature.IsStrictlyEncoded(longest).ShouldBeTrue();
        DerSignature.TryDecode(longest, out var r, out _).ShouldBeTrue();
        r.ShouldBe(BigInteger.Parse("00" + new string('f', 62) + "01", System.Globalization.NumberStyles.HexNumber));
    }

    [Test]
    public void An_encoding_longer_than_72_bytes_is_not_strict()
    {
        byte[] tooLong = [0x30, 0x47, 0x02, 0x21, 0x00, .. Enumerable.Repeat((byte)0xff, 32), 0x02, 0x22, 0x00, 0x00, .. Enumerable.Repeat((byte)0x01, 32)];
        tooLong.Length.ShouldBe(DerSignature.MaxSize + 1);

        DerSignature.IsStrictlyEncoded(tooLong).ShouldBeFalse();
    }

    [Test]
    public void S_of_exactly_half_the_order_is_low_and_one_more_is_high()
    {
        DerSignature.IsLowS(Der("01", HalfOrder)).ShouldBeTrue();
        DerSignature.IsCanonical(Der("01", HalfOrder)).ShouldBeTrue();
        DerSignature.IsLowS(Der("01", AboveHalfOrder)).ShouldBeFalse();
        DerSignature.IsCanonical(Der("01", AboveHalfOrder)).ShouldBeFalse();
        // Fewer significant bytes than the half order: low whatever their value.
        DerSignature.IsLowS(Der("01", "7f" + new string('f', 60))).ShouldBeTrue();
        // More significant bytes than the half order: high.
        DerSignature.IsLowS(Der("01", "00ff" + new string('0', 62))).ShouldBeFalse();
    }

    [Test]
    public void Zero_R_or_zero_S_is_strict_but_not_canonical()
    {
        DerSignature.IsStrictlyEncoded(Der("00", "01")).ShouldBeTrue();
        DerSignature.IsCanonical(Der("00", "01")).ShouldBeFalse();
        DerSignature.IsCanonical(Der("01", "00")).ShouldBeFalse();
        DerSignature.IsLowS(Der("01", "00")).ShouldBeTrue();
        DerSignature.IsCanonical(Der("01", "01")).ShouldBeTrue();
    }

    public static IEnumerable<TestCaseData> Malformations()
    {
        TestCaseData Case(string name, byte[] sig) => new TestCaseData(sig).SetName("Not strict: " + name);
        var good = Der("01", "01");

        yield return Case("sequence tag 0x31", [0x31, .. good[1..]]);
        yield return Case("total length one short", [good[0], 0x05, .. good[2..]]);
        yield return Case("R tag 0x03", [.. good[..2], 0x03, .. good[3..]]);
        yield return Case("R of length zero", [0x30, 0x06, 0x02, 0x00, 0x02, 0x02, 0x01, 0x01]);
        yield return Case("R length reaching past S's length byte", [0x30, 0x06, 0x02, 0x03, 0x01, 0x02, 0x01, 0x01]);
        yield return Case("negative R", Der("80", "01"));
        yield return Case("R padded with a zero it does not need", Der("0001", "01"));
        yield return Case("S tag 0x03", [.. good[..5], 0x03, .. good[6..]]);
        yield return Case("S of length zero", [0x30, 0x06, 0x02, 0x02, 0x01, 0x01, 0x02, 0x00]);
        yield return Case("S length one longer than the rest", [0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x02, 0x01]);
        yield return Case("negative S", Der("01", "80"));
        yield return Case("S padded with a zero it does not need", Der("01", "0001"));
    }

    [TestCaseSource(nameof(Malformations))]
    public void Each_malformation_alone_makes_an_encoding_not_strict(byte[] sig)
    {
        DerSignature.IsStrictlyEncoded(sig).ShouldBeFalse();
        DerSignature.IsLowS(sig).ShouldBeFalse();
        DerSignature.TryDecode(sig, out _, out _).ShouldBeFalse();
    }

    [Test]
    public void Zero_padding_is_strict_where_the_next_byte_has_its_top_bit_set()
    {
        DerSignature.IsStrictlyEncoded(Der("0080", "01")).ShouldBeTrue();
        DerSignature.IsStrictlyEncoded(Der("01", "0080")).ShouldBeTrue();
        DerSignature.IsStrictlyEncoded(Der("01", "0100")).ShouldBeTrue();
    }

    [Test]
    public void Encode_writes_the_shortest_strict_form_and_refuses_negative_values()
    {
        Hex.Encode(DerSignature.Encode(BigInteger.One, new BigInteger(0x80))).ShouldBe("3007020101020200" + "80");
        DerSignature.IsStrictlyEncoded(DerSignature.Encode(new BigInteger(0x80), new BigInteger(0x7f))).ShouldBeTrue();
        Should.Throw<ArgumentException>(() => DerSignature.Encode(BigInteger.MinusOne, BigInteger.One));
        Should.Throw<ArgumentException>(() => DerSignature.Encode(BigInteger.One, BigInteger.MinusOne));
    }
}
