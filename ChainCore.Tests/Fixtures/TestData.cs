using System.Collections.Immutable;
using ChainCore.Core.Consensus;
using ChainCore.Core.Crypto;
using ChainCore.Core.Primitives;
using ChainCore.Core.Wallet;

namespace ChainCore.Tests.Fixtures;

/// <summary>Seeded random protocol objects and signed spends, so property-style tests are reproducible.</summary>
public static class TestData
{
    /// <summary>The fixed key the consensus, crypto and store tests sign with: the same addresses and signatures every run.</summary>
    public static readonly PrivateKey AliceKey = PrivateKey.FromHex("00000000000000000000000000000000000000000000000000000000000a11ce");

    public static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    public static Hash256 RandomHash(Random random) => new(RandomBytes(random, 32));

    public static PrivateKey RandomKey(Random random)
    {
        var bytes = RandomBytes(random, 32);
        bytes[0] &= 0x7f;
        bytes[31] |= 1;
        return PrivateKey.FromBytes(bytes);
    }

    /// <summary>
    /// A transaction spending <paramref name="inputs"/> to <paramref name="outputs"/> outputs of 1,000
    /// units, padded by its first signature to exactly <paramref name="size"/> bytes (or its smallest,
    /// if that is larger). Signatures are random bytes.
    /// </summary>
    public static Transaction Sized(Random random, IReadOnlyList<OutPoint> inputs, int outputs, int size)
    {
        Transaction Build(int padding) => new(
            [.. inputs.Select((o, i) => new TxIn(o, [.. RandomBytes(random, i == 0 ? padding : 10)], [.. RandomBytes(random, 33)]))],
            [.. Enumerable.Range(0, outputs).Select(_ => new TxOut(new Amount(1_000), [.. RandomBytes(random, 20)]))]);
        var padding = Math.Max(0, size - Build(0).SerializedSize);
        var tx = Build(padding);
        // The signature's length prefix grows by two bytes past 252: take the difference off once more.
        return tx.SerializedSize > size && padding > 0 ? Build(Math.Max(0, padding - (tx.SerializedSize - size))) : tx;
    }

    /// <summary>
    /// <paramref name="count"/> outpoints to spend, for random graphs of dependent transactions: two in
    /// three taken (and removed) from <paramref name="unspent"/> while it has any, the rest outside coins.
    /// </summary>
    public static List<OutPoint> DrawInputs(Random random, List<OutPoint> unspent, int count)
    {
        var inputs = new List<OutPoint>(count);
        for (var k = 0; k < count; k++)
        {
            if (unspent.Count > 0 && random.Next(3) > 0)
            {
                var at = random.Next(unspent.Count);
                inputs.Add(unspent[at]);
                unspent.RemoveAt(at);
            }
            else
            {
                inputs.Add(new OutPoint(RandomHash(random), 0));
            }
        }

        return inputs;
    }

    /// <summary>A structurally random transaction (signatures are random bytes, not valid ones).</summary>
    public static Transaction RandomTransaction(Random random, int? inputs = null, int? outputs = null) => new(
        random.Next(1, 3),
        [.. Enumerable.Range(0, inputs ?? random.Next(1, 4)).Select(_ => new TxIn(
            new OutPoint(RandomHash(random), (uint)random.Next(0, 5)),
            [.. RandomBytes(random, random.Next(0, 73))],
            [.. RandomBytes(random, 33)]))],
        [.. Enumerable.Range(0, outputs ?? random.Next(1, 4)).Select(_ => new TxOut(new Amount(random.NextInt64(1, 1_000_000_000)), [.. RandomBytes(random, 20)]))],
        (uint)random.Next());

    public static Block RandomBlock(Random random, int transactions)
    {
        var all = Enumerable.Range(0, transactions).Select(i => i == 0 ? Coinbase.Create(random.Next(1, 1000), RandomBytes(random, 20), Amount.FromCoins(50)) : RandomTransaction(random)).ToImmutableArray();
        var header = new BlockHeader(1, RandomHash(random), MerkleTree.ComputeRoot(all), (uint)random.Next(), 0x207fffff, (uint)random.Next());
        return new Block(header, all);
    }

    /// <summary>A signed transaction spending <paramref name="coins"/> (all owned by <paramref name="key"/>) to <paramref name="outputs"/>.</summary>
    public static Transaction Spend(PrivateKey key, IEnumerable<OutPoint> coins, IEnumerable<TxOut> outputs)
    {
        var publicKey = key.PublicKey.ToBytes().ToImmutableArray();
        var unsigned = new Transaction([.. coins.Select(c => new TxIn(c, [], publicKey))], [.. outputs]);
        return TransactionBuilder.Sign(unsigned, key);
    }

    public static TxOut Pay(PrivateKey key, Amount amount) => new(amount, [.. key.PublicKey.ToAddress().PublicKeyHash]);

    /// <summary>Solves a regtest block on <paramref name="previous"/> holding <paramref name="transactions"/> after a coinbase for <paramref name="height"/>.</summary>
    public static Block MineBlock(Hash256 previous, int height, uint time, IEnumerable<Transaction> transactions, Amount coinbaseValue, ConsensusParams? p = null, byte[]? payTo = null, byte extraNonce = 0)
    {
        p ??= ConsensusParams.Regtest;
        var coinbase = Coinbase.Create(height, payTo ?? new byte[20], coinbaseValue, extraNonce == 0 ? [] : [extraNonce]);
        var all = transactions.Prepend(coinbase).ToImmutableArray();
        var header = new BlockHeader(1, previous, MerkleTree.ComputeRoot(all), time, p.PowLimitBits, 0);
        return ChainCore.Core.Mining.BlockSolver.Solve(new Block(header, all), p, CancellationToken.None);
    }
}
