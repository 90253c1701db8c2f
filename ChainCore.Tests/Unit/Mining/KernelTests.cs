using System.Buffers.Binary;
using System.Diagnostics;
using System.Reflection;
using System.Security.Cryptography;
using ChainCore.Core.Consensus;
using ChainCore.Core.Mining;
using ChainCore.Core.Primitives;
using ChainCore.Tests.Harness;

namespace ChainCore.Tests.Unit.Mining;

[TestFixture, Category("Unit"), Category("Mining"), Category("Crypto")]
public sealed class KernelTests
{
    private static IEnumerable<KernelWidth> Widths => NonceSearch.SupportedWidths;

    private static BlockHeader RandomHeader(Random random)
    {
        var bytes = new byte[BlockHeader.Size];
        random.NextBytes(bytes);
        return BlockHeader.Parse(bytes);
    }

    private static Hash256 ReferenceHash(BlockHeader header, uint nonce)
    {
        var bytes = (header with { Nonce = nonce }).Serialize();
        return new Hash256(SHA256.HashData(SHA256.HashData(bytes)));
    }

    // A target with the given number of leading zero bits: about one nonce in 2^bits meets it.
    private static PowTarget TargetWithLeadingZeroBits(int bits)
    {
        var bytes = new byte[Hash256.Size];
        bytes.AsSpan().Fill(0xff);
        var value = new System.Numerics.BigInteger(bytes, isUnsigned: true) >> bits;
        var le = new byte[Hash256.Size];
        value.TryWriteBytes(le, out _, isUnsigned: true, isBigEndian: false);
        return PowTarget.FromValue(new Hash256(le));
    }

    [Test]
    public void The_CPU_offers_the_widths_it_accelerates()
    {
        NonceSearch.SupportedWidths.ShouldContain(KernelWidth.Scalar);
        NonceSearch.SupportedWidths.ShouldContain(NonceSearch.BestWidth);
        NonceSearch.SupportedWidths.Max().ShouldBe(NonceSearch.BestWidth);
        TestContext.Out.WriteLine($"widths: {string.Join(", ", NonceSearch.SupportedWidths)}; best {NonceSearch.BestWidth}");
    }

    [TestCaseSource(nameof(Widths))]
    public void Every_lane_hashes_as_SHA256_HashData_for_random_headers(KernelWidth width)
    {
        var random = TestSeed.NewRandom(7 + (int)width);
        var hashes = new Hash256[4 * (int)width];
        for (var round = 0; round < 200; round++)
        {
            var header = RandomHeader(random);
            var first = round % 5 == 0 ? uint.MaxValue - (uint)hashes.Length + 1 : (uint)random.NextInt64(0, uint.MaxValue - hashes.Length);
            var job = new MiningJob(header, PowTarget.FromValue(Hash256.Zero));

            NonceSearch.ComputeHashes(job, first, width, hashes);

            for (var i = 0; i < hashes.Length; i++)
            {
                hashes[i].ShouldBe(ReferenceHash(header, first + (uint)i), $"{width}, header {round}, nonce {first + (uint)i}");
            }
        }
    }

    [TestCaseSource(nameof(Widths))]
    public void Search_finds_the_lowest_nonce_meeting_the_target(KernelWidth width)
    {
        var random = TestSeed.NewRandom(11 + (int)width);
        for (var round = 0; round < 40; round++)
        {
            var header = RandomHeader(random);
            var target = TargetWithLeadingZeroBits(random.Next(1, 10));
            var job = new MiningJob(header, target);
            var first = (uint)random.Next(0, 1 << 20);
            var count = (uint)random.Next(1, 3000);

            var found = NonceSearch.TryFind(job, first, count, width, out var nonce);

            var expected = Enumerable.Range(0, (int)count).Select(i => first + (uint)i).Cast<uint?>()
                .FirstOrDefault(n => target.IsMetBy(ReferenceHash(header, n!.Value)));
            found.ShouldBe(expected is not null, $"{width}, header {round}");
            if (expected is { } n)
            {
                nonce.ShouldBe(n, $"{width}, header {round}");
            }
        }
    }

    [TestCaseSource(nameof(Widths))]
    public void A_hash_whose_top_word_equals_the_targets_is_checked_exactly(KernelWidth width)
    {
        // The kernels' filter compares only the top 32 bits; the exact check decides the rest. The
        // target is the lowest of 16 hashes, or just below it: every other nonce fails the filter.
        var header = RandomHeader(TestSeed.NewRandom(13));
        var lowest = Enumerable.Range(0, 16).Select(i => (Nonce: 100u + (uint)i, Hash: ReferenceHash(header, 100u + (uint)i))).MinBy(x => x.Hash);
        var bytes = lowest.Hash.ToBytes();
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, BinaryPrimitives.ReadUInt64LittleEndian(bytes) - 1);

        NonceSearch.TryFind(new MiningJob(header, PowTarget.FromValue(new Hash256(bytes))), 100, 16, width, out _).ShouldBeFalse();
        NonceSearch.TryFind(new MiningJob(header, PowTarget.FromValue(lowest.Hash)), 100, 16, width, out var nonce).ShouldBeTrue();
        nonce.ShouldBe(lowest.Nonce);
    }

    [TestCaseSource(nameof(Widths))]
    public void Searching_allocates_nothing(KernelWidth width)
    {
        // Unoptimized (Debug) JIT code of the generic kernel allocates; the product runs optimized.
        if (typeof(MiningJob).Assembly.GetCustomAttribute<DebuggableAttribute>()?.IsJITOptimizerDisabled == true)
        {
            Assert.Ignore("ChainCore.Core is a Debug build: run with -c Release to check allocations.");
        }

        var job = new MiningJob(RandomHeader(TestSeed.NewRandom(3)), PowTarget.FromValue(Hash256.Zero));
        NonceSearch.TryFind(job, 0, 4096, width, out _);

        var before = GC.GetAllocatedBytesForCurrentThread();
        NonceSearch.TryFind(job, 0, 1 << 16, width, out _);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        allocated.ShouldBe(0);
    }

    [Test]
    public void Target_check_on_Hash256_agrees_with_the_BigInteger_comparison()
    {
        var random = TestSeed.NewRandom(5);
        foreach (var p in ConsensusParams.All)
        {
            var target = PowTarget.Create(p.PowLimitBits, p);
            target.Value.ToBigInteger().ShouldBe(p.PowLimit);
            for (var i = 0; i < 500; i++)
            {
                var bytes = new byte[32];
                random.NextBytes(bytes);
                bytes[31] >>= random.Next(0, 8);
                bytes[30] = i % 3 == 0 ? (byte)0 : bytes[30];
                var hash = new Hash256(bytes);
                target.IsMetBy(hash).ShouldBe(hash.ToBigInteger() <= p.PowLimit);
            }
        }
    }

    [Test]
    public void Solver_finds_a_block_that_meets_the_networks_target()
    {
        var p = ConsensusParams.Regtest;
        var solved = BlockSolver.Solve(p.Genesis.WithHeader(p.Genesis.Header with { Nonce = 0, Time = p.Genesis.Header.Time + 1 }), p, CancellationToken.None);

        Target.CheckProofOfWork(solved.Hash, solved.Header.Bits, p).ShouldBeTrue();
        solved.Hash.ShouldBe(ReferenceHash(solved.Header, solved.Header.Nonce));
    }
}
