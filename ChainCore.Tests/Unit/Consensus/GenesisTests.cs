using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;
using ChainCore.Core.Serialization;

namespace ChainCore.Tests.Unit.Consensus;

[TestFixture, Category("Unit")]
public sealed class GenesisTests
{
    // Source: Bitcoin's mainnet genesis block (chainparams.cpp): its header fields and hash.
    private const string BitcoinGenesisHeader =
        "0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c";

    [Test]
    public void Bitcoin_genesis_header_has_Bitcoin_hash_and_valid_proof_of_work()
    {
        var header = BlockHeader.Parse(Hex.Decode(BitcoinGenesisHeader));

        header.Version.ShouldBe(1);
        header.PreviousHash.ShouldBe(Hash256.Zero);
        header.MerkleRoot.ToString().ShouldBe("4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b");
        header.Time.ShouldBe(1231006505u);
        header.Bits.ShouldBe(0x1d00ffffu);
        header.Nonce.ShouldBe(2083236893u);
        header.GetHash().ToString().ShouldBe("000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f");
        Hex.Encode(header.Serialize()).ShouldBe(BitcoinGenesisHeader);
        Target.CheckProofOfWork(header.GetHash(), header.Bits, ConsensusParams.Main).ShouldBeTrue();
    }

    [TestCase("main", "000000004ab5d58739decef52fd1bd6c7a5636da1bb56b035ff9562e20eb5076")]
    [TestCase("devnet", "0000f8876a01458a2d48bea99f14c7a973261c60024adc5a6d88e312b50dcbf6")]
    [TestCase("regtest", "0cd5e3336b966ff3398248163381de148c64365144db9326047b057c539182b2")]
    public void Each_network_genesis_is_built_from_fixed_fields_and_is_valid(string network, string expectedHash)
    {
        var p = ConsensusParams.FromName(network);
        var genesis = p.Genesis;

        genesis.Hash.ToString().ShouldBe(expectedHash);
        genesis.Header.Bits.ShouldBe(p.PowLimitBits);
        genesis.Header.PreviousHash.ShouldBe(Hash256.Zero);
        BlockValidator.CheckBlock(genesis, p).ShouldBe(ValidationResult.Ok);
        GenesisBlock.Create(network, genesis.Header.Time, genesis.Header.Bits, genesis.Header.Nonce).Hash.ShouldBe(genesis.Hash);
        Coinbase.TryReadHeight(genesis.Transactions[0].Inputs[0].Signature.AsSpan(), out var height).ShouldBeTrue();
        height.ShouldBe(0);
    }

    [Test]
    public void Networks_have_distinct_genesis_blocks()
    {
        ConsensusParams.All.Select(p => p.GenesisHash).Distinct().Count().ShouldBe(3);
    }
}
