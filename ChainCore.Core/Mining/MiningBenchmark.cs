using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;

namespace ChainCore.Core.Mining;

/// <summary>Work for measuring hash rates: a real block that no nonce solves, so every hash is counted and none is submitted.</summary>
public static class MiningBenchmark
{
    public static MiningTemplate UnsolvableTemplate()
    {
        var genesis = ConsensusParams.Main.Genesis;
        return MiningTemplate.Create(genesis.WithHeader(genesis.Header with { Nonce = 0 }), 0, PowTarget.FromValue(Hash256.Zero));
    }
}
