using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;

namespace ChainCore.Core.Mining;

/// <summary>
/// A single-threaded proof-of-work search for a whole block: the node's own <c>/mine_block</c>
/// (regtest, devnet) and tests. It runs the widest kernel the CPU has; the miner spreads the same
/// search over many workers.
/// </summary>
public static class BlockSolver
{
    // Nonces searched between two looks at the cancellation token.
    private const uint Chunk = 1 << 16;

    public static Block Solve(Block template, ConsensusParams p, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(p);
        var target = PowTarget.Create(template.Header.Bits, p);
        var header = template.Header;
        while (true)
        {
            var job = new MiningJob(header, target);
            for (var first = 0UL; first < 1UL << 32; first += Chunk)
            {
                ct.ThrowIfCancellationRequested();
                if (NonceSearch.TryFind(job, (uint)first, Chunk, out var nonce))
                {
                    return template.WithHeader(header with { Nonce = nonce });
                }
            }

            // Nonce space exhausted: move the time on a second and search again.
            header = header with { Time = header.Time + 1 };
        }
    }
}
