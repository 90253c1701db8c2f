using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;

namespace ChainCore.Node.Mining;

/// <summary>A simple single-threaded nonce search for the node's own <c>/mine_block</c> (regtest, devnet).</summary>
public static class BlockSolver
{
    public static Block Solve(Block template, ConsensusParams p, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(template);
        var header = template.Header;
        while (true)
        {
            for (var nonce = 0u; ; nonce++)
            {
                if ((nonce & 0xFFFF) == 0)
                {
                    ct.ThrowIfCancellationRequested();
                }

                var candidate = header with { Nonce = nonce };
                if (Target.CheckProofOfWork(candidate.GetHash(), candidate.Bits, p))
                {
                    return template.WithHeader(candidate);
                }

                if (nonce == uint.MaxValue)
                {
                    break;
                }
            }

            // Nonce space exhausted: move the time on a second and search again.
            header = header with { Time = header.Time + 1 };
        }
    }
}
