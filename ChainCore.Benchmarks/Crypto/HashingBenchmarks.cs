using BenchmarkDotNet.Attributes;
using ChainCore.Core.Consensus;
using ChainCore.Core.Crypto;
using ChainCore.Core.Primitives;

namespace ChainCore.Benchmarks.Crypto;

/// <summary>Block header hashing and merkle roots: the costs a node pays per header and per block.</summary>
[MemoryDiagnoser]
public class HashingBenchmarks
{
    private readonly byte[] _header = new byte[BlockHeader.Size];
    private readonly byte[] _hash = new byte[32];
    private Hash256[] _txids = [];

    [Params(1_000)]
    public int Transactions { get; set; }

    [GlobalSetup]
    public void Setup() => _txids = [.. Enumerable.Range(0, Transactions).Select(i => Hash256.Compute(BitConverter.GetBytes(i)))];

    [Benchmark]
    public byte[] Sha256d_of_a_header()
    {
        Hashes.Sha256d(_header, _hash);
        return _hash;
    }

    [Benchmark]
    public Hash256 Merkle_root() => MerkleTree.ComputeRoot(_txids);
}
