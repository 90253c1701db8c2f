using System.Globalization;
using System.Numerics;
using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;

namespace ChainCore.Tests.Unit.Consensus;

[TestFixture, Category("Unit")]
public sealed class TargetTests
{
    // Source: Bitcoin Core, src/test/arith_uint256_tests.cpp (SetCompact/GetCompact cases):
    // compact bits, decoded value (hex), negative, overflow, and the re-encoding.
    [TestCase(0x00000000u, "0", false, false, 0x00000000u)]
    [TestCase(0x00123456u, "0", false, false, 0x00000000u)]
    [TestCase(0x01003456u, "0", false, false, 0x00000000u)]
    [TestCase(0x02000056u, "0", false, false, 0x00000000u)]
    [TestCase(0x03000000u, "0", false, false, 0x00000000u)]
    [TestCase(0x04000000u, "0", false, false, 0x00000000u)]
    [TestCase(0x00923456u, "0", false, false, 0x00000000u)]
    [TestCase(0x01803456u, "0", false, false, 0x00000000u)]
    [TestCase(0x02800056u, "0", false, false, 0x00000000u)]
    [TestCase(0x03800000u, "0", false, false, 0x00000000u)]
    [TestCase(0x04800000u, "0", false, false, 0x00000000u)]
    [TestCase(0x02008000u, "80", false, false, 0x02008000u)]
    [TestCase(0x01123456u, "12", false, false, 0x01120000u)]
    [TestCase(0x01fedcbau, "7e", true, false, 0x01fe0000u)]
    [TestCase(0x02123456u, "1234", false, false, 0x02123400u)]
    [TestCase(0x03123456u, "123456", false, false, 0x03123456u)]
    [TestCase(0x04123456u, "12345600", false, false, 0x04123456u)]
    [TestCase(0x04923456u, "12345600", true, false, 0x04923456u)]
    [TestCase(0x05009234u, "92340000", false, false, 0x05009234u)]
    [TestCase(0x20123456u, "1234560000000000000000000000000000000000000000000000000000000000", false, false, 0x20123456u)]
    public void Compact_encoding_matches_Bitcoin(uint bits, string valueHex, bool negative, bool overflow, uint reencoded)
    {
        var value = Target.Decode(bits, out var isNegative, out var isOverflow);

        value.ShouldBe(BigInteger.Parse("0" + valueHex, NumberStyles.HexNumber, CultureInfo.InvariantCulture));
        isNegative.ShouldBe(negative);
        isOverflow.ShouldBe(overflow);
        Target.ToCompact(negative ? -value : value).ShouldBe(reencoded);
        Target.FromCompact(bits).ShouldBe(negative ? -value : value);
    }

    [Test]
    public void Compact_bits_that_overflow_256_bits_are_refused()
    {
        Target.Decode(0xff123456, out _, out var overflow);

        overflow.ShouldBeTrue();
        Should.Throw<OverflowException>(() => Target.FromCompact(0xff123456));
        Target.TryGetTarget(0xff123456, ConsensusParams.Regtest, out _).ShouldBeFalse();
    }

    [Test]
    public void Proof_of_work_needs_a_positive_target_within_the_limit_and_a_hash_at_or_below_it()
    {
        var p = ConsensusParams.Main;
        var atTarget = new Hash256(Target.FromCompact(0x1d00ffff).ToByteArray(isUnsigned: true).Concat(new byte[32]).Take(32).ToArray());
        var aboveTarget = new Hash256(((Target.FromCompact(0x1d00ffff)) + 1).ToByteArray(isUnsigned: true).Concat(new byte[32]).Take(32).ToArray());

        Target.CheckProofOfWork(atTarget, 0x1d00ffff, p).ShouldBeTrue();
        Target.CheckProofOfWork(aboveTarget, 0x1d00ffff, p).ShouldBeFalse();
        Target.CheckProofOfWork(Hash256.Zero, 0x1d80ffff, p).ShouldBeFalse("negative target");
        Target.CheckProofOfWork(Hash256.Zero, 0x00000000, p).ShouldBeFalse("zero target");
        Target.CheckProofOfWork(Hash256.Zero, 0x1e00ffff, p).ShouldBeFalse("above the pow limit");
        Target.CheckProofOfWork(Hash256.Zero, 0xff123456, p).ShouldBeFalse("overflow");
    }

    [Test]
    public void Block_work_is_two_to_the_256_over_target_plus_one()
    {
        Target.GetBlockWork(0x1d00ffff).ShouldBe((BigInteger.One << 256) / (Target.FromCompact(0x1d00ffff) + 1));
        Target.GetBlockWork(0x207fffff).ShouldBe(new BigInteger(2));
        Target.GetBlockWork(0x1d80ffff).ShouldBe(BigInteger.Zero);
        Target.GetBlockWork(0).ShouldBe(BigInteger.Zero);
        Target.GetBlockWork(0xff123456).ShouldBe(BigInteger.Zero);
    }

    [Test]
    public void Difficulty_is_one_at_the_pow_limit_and_grows_as_the_target_shrinks()
    {
        Target.GetDifficulty(0x1d00ffff, ConsensusParams.Main).ShouldBe(1.0, 1e-9);
        Target.GetDifficulty(0x1c00ffff, ConsensusParams.Main).ShouldBe(256.0, 1e-6);
        Target.GetDifficulty(0, ConsensusParams.Main).ShouldBe(0);
    }
}
