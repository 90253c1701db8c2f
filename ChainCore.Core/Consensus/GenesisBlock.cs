using System.Collections.Immutable;
using System.Text;
using ChainCore.Core.Primitives;

namespace ChainCore.Core.Consensus;

/// <summary>
/// Each network's first block, built from fixed fields. Its coinbase pays to an all-zero key hash
/// that no key can spend, and, as in Bitcoin, its output never enters the UTXO set.
/// </summary>
public static class GenesisBlock
{
    public const uint MainTime = 1795392001;   // 2026-11-23T00:00:01Z
    public const uint DevnetTime = 1795392001;
    public const uint RegtestTime = 1795392002;
    public const uint MainNonce = 2759432347;
    public const uint DevnetNonce = 145905;
    public const uint RegtestNonce = 6;

    public static Block Create(string network, uint time, uint bits, uint nonce)
    {
        ArgumentNullException.ThrowIfNull(network);
        var message = Encoding.ASCII.GetBytes($"ChainCore {network} genesis: proof of work, one chain, many nodes");
        var coinbase = Coinbase.Create(0, new byte[TxOut.PublicKeyHashSize], Subsidy.Initial, message);
        var header = new BlockHeader(1, Hash256.Zero, MerkleTree.ComputeRoot([coinbase.TxId]), time, bits, nonce);
        return new Block(header, ImmutableArray.Create(coinbase));
    }
}
