using ChainCore.Core.Consensus;

namespace ChainCore.Tests.Unit.Consensus;

[TestFixture, Category("Unit")]
public sealed class DifficultyTests
{
    // Source: Bitcoin Core, src/test/pow_tests.cpp (get_next_work, get_next_work_pow_limit,
    // get_next_work_lower_limit_actual, get_next_work_upper_limit_actual), mainnet parameters.
    [TestCase(1261130161L, 1262152739L, 0x1d00ffffu, 0x1d00d86au, TestName = "No constraint applies (blocks 30240 to 32255)")]
    [TestCase(1231006505L, 1233061996L, 0x1d00ffffu, 0x1d00ffffu, TestName = "Capped at the pow limit (blocks 0 to 2015)")]
    [TestCase(1279008237L, 1279297671L, 0x1c05a3f4u, 0x1c0168fdu, TestName = "Actual timespan clamped to a quarter (blocks 66528 to 68543)")]
    [TestCase(1263163443L, 1269211443L, 0x1c387f6fu, 0x1d00e1fdu, TestName = "Actual timespan clamped to four times (block 46367)")]
    public void Bitcoin_retarget_cases_hold(long firstBlockTime, long lastBlockTime, uint lastBits, uint expected) =>
        Difficulty.NextBits(lastBits, firstBlockTime, lastBlockTime, ConsensusParams.Main).ShouldBe(expected);

    [Test]
    public void Regtest_never_retargets()
    {
        var p = ConsensusParams.Regtest;

        Difficulty.NextBits(p.PowLimitBits, 0, 1, p).ShouldBe(p.PowLimitBits);
        Difficulty.IsRetargetHeight(2016, p).ShouldBeFalse();
        Difficulty.RequiredBits(2016, 0x1f00ffff, _ => 0, p).ShouldBe(0x1f00ffffu);
    }

    [Test]
    public void Devnet_retargets_every_30_blocks_from_the_period_first_block_to_the_parent()
    {
        var p = ConsensusParams.Devnet;
        var asked = new List<int>();
        long TimeAt(int height)
        {
            asked.Add(height);
            return height * 5L;
        }

        Difficulty.RequiredBits(0, 0, TimeAt, p).ShouldBe(p.PowLimitBits);
        Difficulty.RequiredBits(29, 0x1e00ffff, TimeAt, p).ShouldBe(0x1e00ffffu);
        asked.ShouldBeEmpty();

        var bits = Difficulty.RequiredBits(30, 0x1e00ffff, TimeAt, p);

        asked.ShouldBe([0, 29]);
        var expected = Target.ToCompact(Target.FromCompact(0x1e00ffff) * (29 * 5) / p.TargetTimespan);
        bits.ShouldBe(expected);
        Target.FromCompact(bits).ShouldBeLessThan(Target.FromCompact(0x1e00ffff));
    }

    [Test]
    public void Target_timespans_follow_the_presets()
    {
        ConsensusParams.Main.TargetTimespan.ShouldBe(14 * 24 * 60 * 60);
        ConsensusParams.Devnet.TargetTimespan.ShouldBe(300);
        ConsensusParams.FromName("DEVNET").ShouldBeSameAs(ConsensusParams.Devnet);
        ConsensusParams.TryFromName("testnet", out _).ShouldBeFalse();
        Should.Throw<ArgumentException>(() => ConsensusParams.FromName("testnet"));
        ConsensusParams.Regtest.ToString().ShouldBe("regtest");
    }
}
