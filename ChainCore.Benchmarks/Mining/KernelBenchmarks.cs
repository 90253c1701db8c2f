using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using ChainCore.Core.Crypto;
using ChainCore.Core.Mining;
using ChainCore.Core.Primitives;

namespace ChainCore.Benchmarks.Mining;

/// <summary>
/// The proof-of-work search on one thread: every kernel width over the same 65,536 nonces of a
/// header nothing solves, next to a plain SHA256d-per-nonce loop. Divide 65,536 by the time for the
/// hash rate. No allocation is expected in any kernel.
/// </summary>
[MemoryDiagnoser]
public class KernelBenchmarks
{
    private const uint Nonces = 65_536;
    private readonly byte[] _header = new byte[BlockHeader.Size];
    private readonly byte[] _hash = new byte[Hash256.Size];
    private MiningJob _job = null!;

    public static IEnumerable<KernelWidth> Widths => NonceSearch.SupportedWidths;

    [ParamsSource(nameof(Widths))]
    public KernelWidth Width { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var template = MiningBenchmark.UnsolvableTemplate();
        template.Block.Header.WriteTo(_header);
        _job = new MiningJob(template.Block.Header, template.Target);
    }

    [Benchmark(OperationsPerInvoke = (int)Nonces)]
    public bool Kernel_search() => NonceSearch.TryFind(_job, 0, Nonces, Width, out _);

    /// <summary>The naive reference: the whole 80-byte header through SHA256d per nonce (only measured once, with the scalar width).</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = (int)Nonces)]
    public int Sha256d_per_nonce()
    {
        var found = 0;
        for (var nonce = 0u; nonce < Nonces; nonce++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(_header.AsSpan(76), nonce);
            Hashes.Sha256d(_header, _hash);
            found += _hash[31] == 0 ? 1 : 0;
        }

        return found;
    }
}
