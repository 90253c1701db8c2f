using ChainCore.Core.Consensus;
using ChainCore.Core.Crypto;
using ChainCore.Core.Primitives;
using ChainCore.Core.Wallet;
using ChainCore.Tests.Fixtures;

namespace ChainCore.Tests.Harness;

/// <summary>A key for tests, with its address and key hash at hand.</summary>
public sealed record TestWallet(PrivateKey Key)
{
    public Address Address { get; } = Key.PublicKey.ToAddress();

    public byte[] KeyHash => [.. Address.PublicKeyHash];
}

/// <summary>
/// One unspent output a wallet holds, as a scenario spends it: where it is, what it is worth, whom it
/// pays, the height of the block that created it, and whether that was a coinbase.
/// </summary>
public sealed record WalletCoin(OutPoint OutPoint, Amount Value, Address Address, int Height, bool IsCoinbase)
{
    /// <summary>Whether a block at <paramref name="height"/> may spend it (a coinbase waits <paramref name="maturity"/> blocks).</summary>
    public bool IsSpendableAt(int height, int maturity) => !IsCoinbase || height - Height >= maturity;
}

public static class Wallets
{
    /// <summary>A wallet whose key the current test's seed draws (<see cref="TestSeed"/>): the same in every run of that seed.</summary>
    public static TestWallet NewWallet() => new(TestSeed.Draw(TestData.RandomKey));

    /// <summary>
    /// <paramref name="count"/> wallets whose keys derive from <paramref name="seed"/> alone: a seeded
    /// test then has the same transaction ids, and every order that follows from them (fee ties,
    /// coin choice, hashes), in every run, so a failing seed fails again when run alone.
    /// </summary>
    public static IReadOnlyList<TestWallet> SeededWallets(int seed, int count)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => new TestWallet(TestData.RandomKey(random)))];
    }

    public static WalletClient ClientFor(TestNode node, TestWallet wallet) => new(node.Client, wallet.Key);

    /// <summary>A signed transaction spending one output worth <paramref name="inputValue"/>, paying all but <paramref name="fee"/> to <paramref name="to"/>.</summary>
    public static Transaction Spend(TestWallet from, OutPoint outPoint, Amount inputValue, Address to, Amount fee) =>
        TestData.Spend(from.Key, [outPoint], [new TxOut(inputValue - fee, [.. to.PublicKeyHash])]);

    /// <summary>A signed transaction spending <paramref name="coin"/> whole, paying all but <paramref name="fee"/> to <paramref name="to"/>.</summary>
    public static Transaction Spend(TestWallet from, WalletCoin coin, Address to, Amount fee)
    {
        ArgumentNullException.ThrowIfNull(coin);
        return Spend(from, coin.OutPoint, coin.Value, to, fee);
    }

    /// <summary>The wallet's confirmed coins in the node's store, in a stable order for comparisons.</summary>
    public static async Task<IReadOnlyList<WalletCoin>> CoinsAsync(TestNode node, TestWallet wallet) =>
        [.. (await node.Store.GetCoinsByAddressAsync(wallet.KeyHash))
            .OrderBy(c => c.OutPoint.TxId).ThenBy(c => c.OutPoint.Index)
            .Select(c => new WalletCoin(c.OutPoint, c.Coin.Output.Value, wallet.Address, c.Coin.Height, c.Coin.IsCoinbase))];
}
