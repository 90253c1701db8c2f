using System.Collections.Immutable;
using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;
using ChainCore.Core.Serialization;
using ChainCore.Tests.Fixtures;
using ChainCore.Tests.Harness;

namespace ChainCore.Tests.Unit.Core;

[TestFixture, Category("Unit")]
public sealed class SerializationTests
{
    [Test]
    public void Hash_parses_display_hex_in_reversed_byte_order()
    {
        var hash = Hash256.Parse("000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f");

        hash.ToBytes()[0].ShouldBe((byte)0x6f);
        hash.ToBytes()[31].ShouldBe((byte)0x00);
        hash.ToString().ShouldBe("000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f");
        Hash256.FromInternalHex(Hex.Encode(hash.ToBytes())).ShouldBe(hash);
        Hash256.TryParse("00", out _).ShouldBeFalse();
        Hash256.TryParse(null, out _).ShouldBeFalse();
        Hash256.TryParse(new string('g', 64), out _).ShouldBeFalse();
        Should.Throw<FormatException>(() => Hash256.Parse("xyz"));
        Should.Throw<ArgumentException>(() => new Hash256(new byte[31]));
    }

    [Test]
    public void Hashes_order_as_little_endian_numbers()
    {
        var small = new Hash256([1, .. new byte[31]]);
        var large = new Hash256([.. new byte[31], 1]);

        (small < large).ShouldBeTrue();
        (large > small).ShouldBeTrue();
        (small <= new Hash256([1, .. new byte[31]])).ShouldBeTrue();
        (large >= small).ShouldBeTrue();
        (small != large).ShouldBeTrue();
        small.CompareTo(large).ShouldBeLessThan(0);
        new Hash256([.. new byte[8], 1, .. new byte[23]]).CompareTo(small).ShouldBeGreaterThan(0);
        new Hash256([.. new byte[16], 1, .. new byte[15]]).CompareTo(new Hash256([.. new byte[8], 1, .. new byte[23]])).ShouldBeGreaterThan(0);
        small.Equals((object)new Hash256([1, .. new byte[31]])).ShouldBeTrue();
        large.ToBigInteger().ShouldBe(System.Numerics.BigInteger.One << 248);
        Hash256.Zero.IsZero.ShouldBeTrue();
    }

    [TestCase(0UL, "00")]
    [TestCase(0xFCUL, "fc")]
    [TestCase(0xFDUL, "fdfd00")]
    [TestCase(0xFFFFUL, "fdffff")]
    [TestCase(0x10000UL, "fe00000100")]
    [TestCase(0xFFFFFFFFUL, "feffffffff")]
    [TestCase(0x100000000UL, "ff0000000001000000")]
    public void CompactSize_uses_the_shortest_encoding(ulong value, string hex)
    {
        var writer = new ProtocolWriter();
        writer.WriteCompactSize(value);

        Hex.Encode(writer.WrittenSpan).ShouldBe(hex);
        ProtocolWriter.CompactSizeLength(value).ShouldBe(hex.Length / 2);
        var reader = new ProtocolReader(Hex.Decode(hex));
        reader.ReadCompactSize().ShouldBe(value);
        reader.AtEnd.ShouldBeTrue();
    }

    [TestCase("fd0000")]
    [TestCase("fdfc00")]
    [TestCase("feffff0000")]
    [TestCase("ffffffffff00000000")]
    public void Non_canonical_CompactSize_is_refused(string hex) =>
        Should.Throw<FormatException>(() => new ProtocolReader(Hex.Decode(hex)).ReadCompactSize());

    [Test]
    public void Transactions_blocks_and_undo_data_round_trip()
    {
        var random = TestSeed.NewRandom(7);
        for (var i = 0; i < 100; i++)
        {
            var tx = TestData.RandomTransaction(random);
            var parsed = Transaction.Parse(tx.Serialize());
            parsed.TxId.ShouldBe(tx.TxId);
            parsed.Inputs.ShouldBe(tx.Inputs);
            parsed.Outputs.ShouldBe(tx.Outputs);
            Transaction.ParseHex(tx.ToHex()).ShouldBe(tx);
        }

        var block = TestData.RandomBlock(random, transactions: 5);
        var parsedBlock = Block.Parse(block.Serialize());
        parsedBlock.Hash.ShouldBe(block.Hash);
        parsedBlock.Transactions.Select(t => t.TxId).ShouldBe(block.Transactions.Select(t => t.TxId));
        parsedBlock.SerializedSize.ShouldBe(block.Serialize().Length);
        Block.ParseHex(block.ToHex()).ShouldBe(block);

        var undo = new BlockUndo([.. block.Transactions.Skip(1).SelectMany(t => t.Inputs).Select((input, n) =>
            new SpentCoin(input.PreviousOutput, new Coin(new TxOut(new Amount(n + 1), [.. new byte[20]]), n, n % 2 == 0)))]);
        BlockUndo.Parse(undo.Serialize()).SpentCoins.ShouldBe(undo.SpentCoins);
    }

    [Test]
    public void Truncated_or_random_bytes_fail_to_parse_with_FormatException_only()
    {
        var random = TestSeed.NewRandom(404);
        var block = TestData.RandomBlock(random, transactions: 3).Serialize();
        for (var cut = 0; cut < block.Length; cut += 7)
        {
            Should.Throw<FormatException>(() => Block.Parse(block.AsSpan(0, cut)));
        }

        Should.Throw<FormatException>(() => Block.Parse([.. block, 0]));
        for (var i = 0; i < 2_000; i++)
        {
            var garbage = new byte[random.Next(0, 300)];
            random.NextBytes(garbage);
            ParsesOrThrowsFormat(() => Transaction.Parse(garbage));
            ParsesOrThrowsFormat(() => Block.Parse(garbage));
            ParsesOrThrowsFormat(() => BlockUndo.Parse(garbage));
        }
    }

    [Test]
    public void A_header_is_exactly_80_bytes()
    {
        Should.Throw<FormatException>(() => BlockHeader.Parse(new byte[79]));
        Should.Throw<FormatException>(() => BlockHeader.Parse(new byte[81]));
        Should.Throw<ArgumentException>(() => default(BlockHeader).WriteTo(new byte[79]));
    }

    [Test]
    public void Hex_decoding_is_strict()
    {
        Should.Throw<FormatException>(() => Hex.Decode("abc"));
        Should.Throw<FormatException>(() => Hex.Decode("zz"));
        Hex.TryDecode(null, out _).ShouldBeFalse();
        Hex.TryDecode("0g", out _).ShouldBeFalse();
        Hex.TryDecode("0A", out var bytes).ShouldBeTrue();
        bytes.ShouldBe(new byte[] { 10 });
    }

    [Test]
    public void Signature_hash_commits_to_every_input_and_output_but_not_to_signatures()
    {
        var random = TestSeed.NewRandom(3);
        var tx = TestData.RandomTransaction(random, inputs: 2, outputs: 2);
        var hash = tx.SignatureHash(0);

        tx.WithInputs([tx.Inputs[0].WithSignature([1, 2, 3]), tx.Inputs[1]]).SignatureHash(0).ShouldBe(hash);
        tx.SignatureHash(1).ShouldNotBe(hash);
        new Transaction(tx.Inputs, [tx.Outputs[0]]).SignatureHash(0).ShouldNotBe(hash);
        new Transaction(tx.Version, tx.Inputs, tx.Outputs, tx.LockTime + 1).SignatureHash(0).ShouldNotBe(hash);
        Should.Throw<ArgumentOutOfRangeException>(() => tx.SignatureHash(2));
        Should.Throw<ArgumentException>(() => new TxOut(Amount.Zero, ImmutableArray.Create<byte>(1, 2)));
        tx.ToString().ShouldContain(tx.TxId.ToString());
    }

    private static void ParsesOrThrowsFormat(Action parse)
    {
        try
        {
            parse();
        }
        catch (FormatException)
        {
        }
    }
}
