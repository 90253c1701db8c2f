using ChainCore.Core.Api;
using ChainCore.Core.Crypto;
using ChainCore.Core.Primitives;
using ChainCore.Node.Chain;
using ChainCore.Node.Mempool;
using ChainCore.Node.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ChainCore.Node.Api;

public static class AddressEndpoints
{
    public static IEndpointRouteBuilder MapAddressEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/addresses/{address}").WithTags("Addresses");
        group.MapGet("/balance", GetBalance);
        group.MapGet("/utxos", GetUtxos);
        group.MapGet("/transactions", GetHistory);
        return app;
    }

    /// <summary>Confirmed: the chain's UTXO set. Pending: what the mempool adds to and takes from it.</summary>
    private static async Task<Results<Ok<BalanceResponse>, ProblemHttpResult>> GetBalance(string address, ChainEngine chain, IChainStore store, CancellationToken ct)
    {
        if (!Address.TryParse(address, out var parsed))
        {
            return ApiProblems.InvalidAddress(address);
        }

        var keyHash = parsed.PublicKeyHash.ToArray();
        var confirmed = await store.GetBalanceAsync(keyHash, ct);
        var (received, spent) = PendingFor(chain.Mempool.Snapshot(), keyHash);
        var pending = received - spent;
        return TypedResults.Ok(new BalanceResponse(parsed.ToString(), confirmed.ToCoins(), pending.ToCoins(), (confirmed + pending).ToCoins()));
    }

    /// <summary>Spendable outputs: confirmed ones the mempool does not spend, then unconfirmed ones paying the address.</summary>
    private static async Task<Results<Ok<AddressUtxosResponse>, ProblemHttpResult>> GetUtxos(string address, ChainEngine chain, IChainStore store, CancellationToken ct)
    {
        if (!Address.TryParse(address, out var parsed))
        {
            return ApiProblems.InvalidAddress(address);
        }

        var keyHash = parsed.PublicKeyHash.ToArray();
        var mempool = chain.Mempool;
        var confirmed = (await store.GetCoinsByAddressAsync(keyHash, ct))
            .Where(c => mempool.GetSpender(c.OutPoint) is null)
            .Select(c => new UtxoResponse(c.OutPoint.TxId.ToString(), c.OutPoint.Index, c.Coin.Output.Value.ToCoins(), c.Coin.Height, c.Coin.IsCoinbase, true));
        var unconfirmed = mempool.Snapshot()
            .SelectMany(e => e.Transaction.Outputs.Select((output, index) => (e.TxId, Index: (uint)index, Output: output)))
            .Where(o => o.Output.PublicKeyHash.AsSpan().SequenceEqual(keyHash) && mempool.GetSpender(new OutPoint(o.TxId, o.Index)) is null)
            .Select(o => new UtxoResponse(o.TxId.ToString(), o.Index, o.Output.Value.ToCoins(), null, false, false));
        return TypedResults.Ok(new AddressUtxosResponse(parsed.ToString(), [.. confirmed, .. unconfirmed]));
    }

    private static async Task<Results<Ok<AddressHistoryResponse>, ProblemHttpResult>> GetHistory(string address, ChainEngine chain, IChainStore store, CancellationToken ct)
    {
        if (!Address.TryParse(address, out var parsed))
        {
            return ApiProblems.InvalidAddress(address);
        }

        var keyHash = parsed.PublicKeyHash.ToArray();
        var pending = chain.Mempool.Snapshot()
            .Select(e => (e.TxId, Flow: PendingFor([e], keyHash)))
            .Where(x => x.Flow.Received.Units != 0 || x.Flow.Spent.Units != 0)
            .Select(x => new AddressTransactionResponse(x.TxId.ToString(), null, null, x.Flow.Received.ToCoins(), x.Flow.Spent.ToCoins(), false));
        var confirmed = (await store.GetTransactionsByAddressAsync(keyHash, 100, ct))
            .Select(t => new AddressTransactionResponse(t.TxId.ToString(), t.BlockHash.ToString(), t.BlockHeight, t.Received.ToCoins(), t.Spent.ToCoins(), true));
        return TypedResults.Ok(new AddressHistoryResponse(parsed.ToString(), [.. pending, .. confirmed]));
    }

    private static (Amount Received, Amount Spent) PendingFor(IEnumerable<MempoolEntry> entries, byte[] keyHash)
    {
        var received = Amount.Zero;
        var spent = Amount.Zero;
        foreach (var entry in entries)
        {
            foreach (var output in entry.Transaction.Outputs.Where(o => o.PublicKeyHash.AsSpan().SequenceEqual(keyHash)))
            {
                received += output.Value;
            }

            foreach (var coin in entry.SpentCoins.Where(c => c.Coin.Output.PublicKeyHash.AsSpan().SequenceEqual(keyHash)))
            {
                spent += coin.Coin.Output.Value;
            }
        }

        return (received, spent);
    }
}
