using ChainCore.Core.Api;
using ChainCore.Core.Crypto;
using ChainCore.Node.Addresses;
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

    /// <summary>Confirmed (spendable now), immature coinbase, and what the mempool adds and takes; see <see cref="BalanceResponse"/>.</summary>
    private static async Task<Results<Ok<BalanceResponse>, ProblemHttpResult>> GetBalance(string address, AddressService addresses, CancellationToken ct)
    {
        if (!Address.TryParse(address, out var parsed))
        {
            return ApiProblems.InvalidAddress(address);
        }

        var b = await addresses.GetBalanceAsync(parsed, ct);
        return TypedResults.Ok(new BalanceResponse(
            parsed.ToString(),
            b.Confirmed.ToCoins(),
            b.Pending.ToCoins(),
            b.Total.ToCoins(),
            b.Immature.ToCoins(),
            b.PendingIncoming.ToCoins(),
            b.PendingOutgoing.ToCoins(),
            b.TipHeight));
    }

    /// <summary>Unspent outputs with their maturity: confirmed ones the mempool does not spend, then unconfirmed ones paying the address.</summary>
    private static async Task<Results<Ok<AddressUtxosResponse>, ProblemHttpResult>> GetUtxos(string address, AddressService addresses, CancellationToken ct)
    {
        if (!Address.TryParse(address, out var parsed))
        {
            return ApiProblems.InvalidAddress(address);
        }

        var coins = await addresses.GetCoinsAsync(parsed, ct);
        var utxos = coins.Coins
            .Select(c => new UtxoResponse(c.OutPoint.TxId.ToString(), c.OutPoint.Index, c.Value.ToCoins(), c.Height, c.IsCoinbase, c.Confirmed, c.MatureAtHeight, c.Spendable))
            .ToList();
        return TypedResults.Ok(new AddressUtxosResponse(parsed.ToString(), utxos, coins.TipHeight));
    }

    private static async Task<Results<Ok<AddressHistoryResponse>, ProblemHttpResult>> GetHistory(string address, AddressService addresses, CancellationToken ct)
    {
        if (!Address.TryParse(address, out var parsed))
        {
            return ApiProblems.InvalidAddress(address);
        }

        var history = (await addresses.GetHistoryAsync(parsed, ct))
            .Select(t => new AddressTransactionResponse(t.TxId.ToString(), t.BlockHash?.ToString(), t.BlockHeight, t.Received.ToCoins(), t.Spent.ToCoins(), t.Confirmed))
            .ToList();
        return TypedResults.Ok(new AddressHistoryResponse(parsed.ToString(), history));
    }
}
