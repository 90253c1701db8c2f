using ChainCore.Core.Consensus;
using ChainCore.Core.Mining;
using ChainCore.Core.Primitives;
using ChainCore.Node.Network;

namespace ChainCore.Tests.Unit.Network;

[TestFixture, Category("Unit"), Category("Network")]
public sealed class MisbehaviourTests
{
    [Test]
    public void Only_data_that_breaks_consensus_counts_against_a_peer([Values] ValidationCategory category)
    {
        var score = Misbehaviour.ScoreFor(category);

        score.ShouldBe(category == ValidationCategory.Invalid ? Misbehaviour.BanThreshold : 0);
    }

    [Test]
    public void Headers_must_chain_and_carry_their_proof_of_work()
    {
        var p = ConsensusParams.Regtest;
        var first = Solve(new BlockHeader(1, p.GenesisHash, default, p.Genesis.Header.Time + 1, p.PowLimitBits, 0), p);
        var second = Solve(new BlockHeader(1, first.GetHash(), default, first.Time + 1, p.PowLimitBits, 0), p);
        var unlinked = Solve(new BlockHeader(1, p.GenesisHash, default, first.Time + 2, p.PowLimitBits, 0), p);
        var noWork = Unsolved(second with { PreviousHash = second.GetHash() }, p);

        PeerMessageHandler.CheckHeaders([first, second], p).IsValid.ShouldBeTrue();
        PeerMessageHandler.CheckHeaders([], p).IsValid.ShouldBeTrue();
        var broken = PeerMessageHandler.CheckHeaders([first, unlinked], p);
        broken.Code.ShouldBe(PeerCodes.BadHeaders);
        broken.Category.ShouldBe(ValidationCategory.Invalid);
        PeerMessageHandler.CheckHeaders([noWork], p).Code.ShouldBe(RejectCodes.BadPow);
    }

    private static BlockHeader Solve(BlockHeader header, ConsensusParams p) =>
        BlockSolver.Solve(new Block(header, [p.Genesis.Transactions[0]]).WithHeader(header), p, CancellationToken.None).Header;

    /// <summary>A nonce whose hash misses the target (at regtest's limit about half do).</summary>
    private static BlockHeader Unsolved(BlockHeader header, ConsensusParams p)
    {
        for (var nonce = 0u; ; nonce++)
        {
            var candidate = header with { Nonce = nonce };
            if (!Target.CheckProofOfWork(candidate.GetHash(), candidate.Bits, p))
            {
                return candidate;
            }
        }
    }
}
