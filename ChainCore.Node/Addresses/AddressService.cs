using ChainCore.Core.Consensus;
using ChainCore.Core.Crypto;
using ChainCore.Core.Primitives;
using ChainCore.Node.Chain;
using ChainCore.Node.Mempool;
using ChainCore.Node.Storage;

namespace ChainCore.Node.Addresses;

/// <summary>
/// An address's money as of <see cref="TipHeight"/>: <see cref="Confirmed"/> is what the chain holds for it
/// and a transaction may spend now, <see cref="Immature"/> the coinbase outputs that must wait,
/// <see cref="PendingIncoming"/> and <see cref="PendingOutgoing"/> what the mempool pays to and takes from it.
/// </summary>
public sealed record AddressBalance(int TipHeight, Amount Confirmed, Amount Immature, Amount PendingIncoming, Amount PendingOutgoing)
{
    public Amount Pending => PendingIncoming - PendingOutgoing;

    /// <summary>What the address can spend once its mempool transactions confirm; immature coinbase outputs are not in it.</summary>
    public Amount Total => Confirmed + Pending;
}

/// <summary>An unspent output of an address; <see cref="MatureAtHeight"/> is the tip height from which a coinbase output may be spent.</summary>
public sealed record AddressCoin(OutPoint OutPoint, Amount Value, int? Height, bool IsCoinbase, int? MatureAtHeight, bool Spendable)
{
    public bool Confirmed => Height is not null;
}

public sealed record AddressCoins(int TipHeight, IReadOnlyList<AddressCoin> Coins);

/// <summary>A transaction touching an address: confirmed ones carry their block, mempool ones do not.</summary>
public sealed record AddressActivity(Hash256 TxId, Hash256? BlockHash, int? BlockHeight, Amount Received, Amount Spent)
{
    public bool Confirmed => BlockHash is not null;
}

/// <summary>
/// What the node knows of an address: balances split by what can be spent now, unspent outputs with
/// their maturity, and history. Maturity follows the consensus rule the mempool applies
/// (<see cref="TransactionValidator"/>: a coinbase from height h may be spent in a block at h + maturity),
/// so what this calls spendable is exactly what the node accepts.
/// </summary>
public sealed class AddressService(ChainEngine chain, IMempoolView mempool, IChainStore store)
{
    public const int HistoryLimit = 100;

    public async Task<AddressBalance> GetBalanceAsync(Address address, CancellationToken ct = default)
    {
        var (tipHeight, coins) = await GetConfirmedCoinsAsync(address, ct);
        var confirmed = Amount.Zero;
        var immature = Amount.Zero;
        foreach (var coin in coins)
        {
            if (coin.Spendable)
            {
                confirmed += coin.Value;
            }
            else
            {
                immature += coin.Value;
            }
        }

        var (received, spent) = Flow(mempool.Snapshot(), address);
        return new AddressBalance(tipHeight, confirmed, immature, received, spent);
    }

    /// <summary>Confirmed outputs the mempool does not spend, then mempool outputs paying the address that nothing spends yet.</summary>
    public async Task<AddressCoins> GetCoinsAsync(Address address, CancellationToken ct = default)
    {
        var (tipHeight, coins) = await GetConfirmedCoinsAsync(address, ct);
        var confirmed = coins.Where(c => mempool.GetSpender(c.OutPoint) is null);
        var unconfirmed = mempool.Snapshot()
            .SelectMany(e => e.Transaction.Outputs.Select((output, index) => (e.TxId, Index: (uint)index, Output: output)))
            .Where(o => Pays(o.Output, address) && mempool.GetSpender(new OutPoint(o.TxId, o.Index)) is null)
            .Select(o => new AddressCoin(new OutPoint(o.TxId, o.Index), o.Output.Value, null, false, null, true));
        return new AddressCoins(tipHeight, [.. confirmed, .. unconfirmed]);
    }

    /// <summary>Mempool transactions first, then the newest confirmed ones.</summary>
    public async Task<IReadOnlyList<AddressActivity>> GetHistoryAsync(Address address, CancellationToken ct = default)
    {
        var pending = mempool.Snapshot()
            .Select(e => (e.TxId, Flow: Flow([e], address)))
            .Where(x => x.Flow.Received.Units != 0 || x.Flow.Spent.Units != 0)
            .Select(x => new AddressActivity(x.TxId, null, null, x.Flow.Received, x.Flow.Spent));
        var confirmed = (await store.GetTransactionsByAddressAsync(address.PublicKeyHash.ToArray(), HistoryLimit, ct))
            .Select(t => new AddressActivity(t.TxId, t.BlockHash, t.BlockHeight, t.Received, t.Spent));
        return [.. pending, .. confirmed];
    }

    /// <summary>The tip height first, then the coins: a coin newer than that tip only looks less mature, never more.</summary>
    private async Task<(int TipHeight, List<AddressCoin> Coins)> GetConfirmedCoinsAsync(Address address, CancellationToken ct)
    {
        var tipHeight = chain.Tip.Height;
        var maturity = chain.Params.CoinbaseMaturity;
        var coins = await store.GetCoinsByAddressAsync(address.PublicKeyHash.ToArray(), ct);
        var result = coins.Select(c =>
        {
            int? matureAt = c.Coin.IsCoinbase ? c.Coin.Height + maturity - 1 : null;
            return new AddressCoin(c.OutPoint, c.Coin.Output.Value, c.Coin.Height, c.Coin.IsCoinbase, matureAt, matureAt is not { } m || tipHeight >= m);
        });
        return (tipHeight, result.ToList());
    }

    private static (Amount Received, Amount Spent) Flow(IEnumerable<MempoolEntry> entries, Address address)
    {
        var received = Amount.Zero;
        var spent = Amount.Zero;
        foreach (var entry in entries)
        {
            foreach (var output in entry.Transaction.Outputs.Where(o => Pays(o, address)))
            {
                received += output.Value;
            }

            foreach (var coin in entry.SpentCoins.Where(c => Pays(c.Coin.Output, address)))
            {
                spent += coin.Coin.Output.Value;
            }
        }

        return (received, spent);
    }

    private static bool Pays(TxOut output, Address address) => output.PublicKeyHash.AsSpan().SequenceEqual(address.PublicKeyHash);
}
