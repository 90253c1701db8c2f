using ChainCore.Core.Api;
using ChainCore.Core.Crypto;
using ChainCore.Node.Addresses;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ChainCore.Node.Api;

public static class AddressEndpoints
{
    public static IEndpointRouteBuilder MapAddressEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/addresses/{address}").WithTags("Addresses").ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapGet("/balance", GetBalance)
            .WithSummary("An address's balance")
            .WithDescription("Confirmed (in the chain and spendable now), immature (coinbase outputs not yet spendable), pending (what mempool transactions pay in and take out) and total = confirmed + pending, in decimal coins. An invalid address is 400 invalid-address.");
        group.MapGet("/utxos", GetUtxos)
            .WithSummary("An address's unspent outputs")
            .WithDescription("Confirmed outputs the mempool does not spend, with their height and, for coinbase outputs, the height from which they are spendable; then unconfirmed outputs paying the address.");
        group.MapGet("/transactions", GetHistory)
            .WithSummary("An address's transaction history")
            .WithDescription("Mempool transactions first, then the latest 100 confirmed ones, each with what it paid to and took from the address.");
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
