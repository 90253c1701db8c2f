using System.Buffers.Binary;
using ChainCore.Core.Consensus;
using ChainCore.Core.Crypto;
using ChainCore.Core.Mining;
using ChainCore.Core.Primitives;

namespace ChainCore.Tests.Unit.Mining;

[TestFixture, Category("Unit"), Category("Mining")]
public sealed class MiningWorkersTests
{
    private static MiningTemplate RegtestTemplate(PowTarget target)
    {
        var payee = PrivateKey.Generate().PublicKey.ToAddress();
        var coinbase = Coinbase.Create(1, payee.PublicKeyHash, Amount.FromCoins(50));
        var p = ConsensusParams.Regtest;
        var header = new BlockHeader(1, p.GenesisHash, MerkleTree.ComputeRoot([coinbase]), p.Genesis.Header.Time + 1, p.PowLimitBits, 0);
        return MiningTemplate.Create(new Block(header, [coinbase]), 1, target);
    }

    // About one hash in 2^bits meets it.
    private static PowTarget TargetWithLeadingZeroBits(int bits)
    {
        var bytes = new byte[32];
        bytes.AsSpan().Fill(0xff);
        for (var i = 0; i < bits; i++)
        {
            bytes[31 - (i / 8)] &= (byte)~(0x80 >> (i % 8));
        }

        return PowTarget.FromValue(new Hash256(bytes));
    }

    [Test]
    public async Task Workers_share_a_headers_nonces_without_overlap_then_roll_the_extra_nonce([Values(1, 2, 3)] int workers)
    {
        var engine = new MiningWorkers(workers, KernelWidth.Scalar) { NoncesPerHeader = 3 * 16_384 };
        using var stop = new CancellationTokenSource();
        var search = engine.SearchAsync(RegtestTemplate(PowTarget.FromValue(Hash256.Zero)), stop.Token);

        await ChainCore.Tests.Harness.Waits.WaitUntilAsync(() => engine.ExtraNonceRolls >= 2, () => $"{engine.ExtraNonceRolls} rolls, {engine.Hashes} hashes", TimeSpan.FromSeconds(60));
        await stop.CancelAsync();
        (await search).ShouldBeNull();

        // Each header's nonces are handed out once: the hashes are the used-up headers' nonces
        // plus part of the last one; any nonce searched twice would push them past it.
        var perHeader = (long)engine.NoncesPerHeader;
        engine.Hashes.ShouldBeGreaterThanOrEqualTo(engine.ExtraNonceRolls * perHeader);
        engine.Hashes.ShouldBeLessThanOrEqualTo((engine.ExtraNonceRolls + 1) * perHeader);
    }

    [Test]
    public async Task A_block_solved_after_rolling_the_extra_nonce_is_valid()
    {
        // A template whose first header has no solution among its 4,096 nonces: the extra nonce must roll.
        var target = TargetWithLeadingZeroBits(16);
        var template = RegtestTemplate(target);
        while (NonceSearch.TryFind(new MiningJob(template.Block.Header, target), 0, 4_096, out _))
        {
            template = RegtestTemplate(target);
        }

        var engine = new MiningWorkers(2) { NoncesPerHeader = 4_096 };

        var solved = await engine.SearchAsync(template, CancellationToken.None);

        solved.ShouldNotBeNull();
        engine.ExtraNonceRolls.ShouldBeGreaterThan(0);
        target.IsMetBy(solved.Hash).ShouldBeTrue();
        solved.Header.Nonce.ShouldBeLessThan(4_096u);
        solved.Header.MerkleRoot.ShouldBe(MerkleTree.ComputeRoot(solved.Transactions));
        var data = solved.Transactions[0].Inputs[0].Signature.AsSpan();
        Coinbase.TryReadHeight(data, out var height).ShouldBeTrue();
        height.ShouldBe(1);
        var extraNonce = BinaryPrimitives.ReadUInt64LittleEndian(data[^8..]);
        extraNonce.ShouldBeGreaterThan(0ul);
        solved.ShouldBe(template.WithExtraNonce(extraNonce).WithHeader(solved.Header));
        solved.Transactions[0].Outputs.ShouldBe(template.Block.Transactions[0].Outputs);
    }

    [Test]
    public void Extra_nonce_zero_is_the_template_itself()
    {
        var template = RegtestTemplate(PowTarget.FromValue(Hash256.Zero));

        template.WithExtraNonce(0).ShouldBeSameAs(template.Block);
        template.WithExtraNonce(1).Header.MerkleRoot.ShouldNotBe(template.Block.Header.MerkleRoot);
        template.WithExtraNonce(1).Header.MerkleRoot.ShouldNotBe(template.WithExtraNonce(2).Header.MerkleRoot);
    }

    [Test]
    public void A_kernel_the_CPU_lacks_is_refused()
    {
        foreach (var width in Enum.GetValues<KernelWidth>().Where(w => !NonceSearch.IsSupported(w)))
        {
            Should.Throw<ArgumentException>(() => new MiningWorkers(1, width));
        }

        Should.Throw<ArgumentOutOfRangeException>(() => new MiningWorkers(0));
    }
}
