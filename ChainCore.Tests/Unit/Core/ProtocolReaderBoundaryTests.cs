using ChainCore.Core.Serialization;

namespace ChainCore.Tests.Unit.Core;

/// <summary>
/// The wire reader at the edges of its input: a length or count that exactly fits is read, one more
/// is refused before anything is allocated; every fixed-width field is little-endian.
/// </summary>
[TestFixture, Category("Unit")]
public sealed class ProtocolReaderBoundaryTests
{
    [Test]
    public void Reading_exactly_the_remaining_bytes_ends_the_data_and_one_more_is_refused()
    {
        var reader = new ProtocolReader([1, 2, 3]);

        reader.ReadBytes(3).ToArray().ShouldBe(new byte[] { 1, 2, 3 });
        reader.Position.ShouldBe(3);
        reader.Remaining.ShouldBe(0);
        reader.AtEnd.ShouldBeTrue();
        reader.EnsureEnd();

        var again = new ProtocolReader([1, 2, 3]);
        var refused = false;
        try { again.ReadBytes(4); } catch (FormatException) { refused = true; }
        refused.ShouldBeTrue();
        again.Position.ShouldBe(0, "a refused read consumes nothing");
    }

    [Test]
    public void A_negative_byte_count_is_refused()
    {
        var refused = false;
        var reader = new ProtocolReader([1, 2, 3]);
        try { reader.ReadBytes(-1); } catch (FormatException) { refused = true; }
        refused.ShouldBeTrue();
    }

    [Test]
    public void Trailing_bytes_are_refused_by_EnsureEnd()
    {
        var reader = new ProtocolReader([1, 2]);
        reader.ReadByte().ShouldBe((byte)1);
        reader.AtEnd.ShouldBeFalse();
        reader.Remaining.ShouldBe(1);

        var refused = false;
        try { reader.EnsureEnd(); } catch (FormatException) { refused = true; }
        refused.ShouldBeTrue();
    }

    [Test]
    public void Fixed_width_integers_are_little_endian_and_advance_by_their_width()
    {
        var reader = new ProtocolReader([0x01, 0x02, 0x03, 0x84, 0xff, 0xff, 0xff, 0xff, 0x01, 0, 0, 0, 0, 0, 0, 0x80]);

        reader.ReadInt32().ShouldBe(unchecked((int)0x84030201));
        reader.Position.ShouldBe(4);
        reader.ReadUInt32().ShouldBe(uint.MaxValue);
        reader.ReadInt64().ShouldBe(unchecked((long)0x8000000000000001));
        reader.AtEnd.ShouldBeTrue();
    }

    [Test]
    public void Fixed_width_integers_written_are_read_back_in_the_same_byte_order()
    {
        var writer = new ProtocolWriter(1);
        writer.WriteByte(0xAB);
        writer.WriteInt32(-2);
        writer.WriteUInt32(0x01020304);
        writer.WriteInt64(long.MinValue + 5);
        writer.WriteVarBytes([9, 8, 7]);

        writer.Length.ShouldBe(1 + 4 + 4 + 8 + 1 + 3);
        Hex.Encode(writer.ToArray()).ShouldBe("abfeffffff04030201" + "0500000000000080" + "03090807");
        var reader = new ProtocolReader(writer.WrittenSpan);
        reader.ReadByte().ShouldBe((byte)0xAB);
        reader.ReadInt32().ShouldBe(-2);
        reader.ReadUInt32().ShouldBe(0x01020304u);
        reader.ReadInt64().ShouldBe(long.MinValue + 5);
        reader.ReadVarBytes().ToArray().ShouldBe(new byte[] { 9, 8, 7 });
        reader.EnsureEnd();
    }

    [TestCase(0xFCUL, 1)]
    [TestCase(0xFDUL, 3)]
    [TestCase(0xFFFFUL, 3)]
    [TestCase(0x10000UL, 5)]
    [TestCase(0xFFFFFFFFUL, 5)]
    [TestCase(0x100000000UL, 9)]
    [TestCase(ulong.MaxValue, 9)]
    public void CompactSize_length_changes_at_exactly_each_boundary(ulong value, int length)
    {
        var writer = new ProtocolWriter();
        writer.WriteCompactSize(value);

        writer.Length.ShouldBe(length);
        ProtocolWriter.CompactSizeLength(value).ShouldBe(length);
        new ProtocolReader(writer.WrittenSpan).ReadCompactSize().ShouldBe(value);
    }

    [TestCase("fdfd00", 0xFDUL)]
    [TestCase("fe00000100", 0x10000UL)]
    [TestCase("ff0000000001000000", 0x100000000UL)]
    public void CompactSize_at_exactly_the_smallest_value_of_its_width_is_canonical(string hex, ulong value) =>
        new ProtocolReader(Hex.Decode(hex)).ReadCompactSize().ShouldBe(value);

    [Test]
    public void A_count_whose_items_exactly_fill_the_rest_is_read_and_one_more_is_refused()
    {
        // Three items of at least 2 bytes need 6 bytes after the count.
        new ProtocolReader([3, 0, 0, 0, 0, 0, 0]).ReadCount(2).ShouldBe(3);
        Should.Throw<FormatException>(() => new ProtocolReader([4, 0, 0, 0, 0, 0, 0]).ReadCount(2));
        Should.Throw<FormatException>(() => new ProtocolReader([3, 0, 0, 0, 0, 0]).ReadCount(2));
    }

    [Test]
    public void A_count_of_items_without_a_minimum_size_is_bounded_by_the_remaining_bytes()
    {
        new ProtocolReader([2, 0, 0]).ReadCount(0).ShouldBe(2);
        Should.Throw<FormatException>(() => new ProtocolReader([3, 0, 0]).ReadCount(0));
    }

    [Test]
    public void A_byte_string_of_exactly_the_remaining_length_is_read_and_one_more_is_refused()
    {
        var reader = new ProtocolReader([2, 7, 8]);
        reader.ReadVarBytes().ToArray().ShouldBe(new byte[] { 7, 8 });
        reader.AtEnd.ShouldBeTrue();

        Should.Throw<FormatException>(() => new ProtocolReader([3, 7, 8]).ReadVarBytes());
        Should.Throw<FormatException>(() => new ProtocolReader([0xfe, 0, 0, 0, 0x80, 7, 8]).ReadVarBytes());
    }

    [Test]
    public void Hex_of_odd_length_or_with_a_non_digit_is_refused_and_TryDecode_says_so()
    {
        Hex.TryDecode("0aFF", out var bytes).ShouldBeTrue();
        bytes.ShouldBe(new byte[] { 0x0a, 0xff });
        Hex.TryDecode("0a0", out bytes).ShouldBeFalse();
        bytes.ShouldBeEmpty();
        Hex.TryDecode("0g", out _).ShouldBeFalse();
        Hex.TryDecode(null, out _).ShouldBeFalse();
        Should.Throw<FormatException>(() => Hex.Decode("0a0"));
        Should.Throw<FormatException>(() => Hex.Decode("zz"));
        Hex.Decode("").ShouldBeEmpty();
    }
}
