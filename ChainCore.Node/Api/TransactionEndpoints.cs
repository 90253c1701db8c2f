using System.Collections.Immutable;
using ChainCore.Core.Api;
using ChainCore.Core.Crypto;
using ChainCore.Core.Primitives;
using ChainCore.Core.Serialization;
using ChainCore.Node.Chain;
using ChainCore.Node.Mempool;
using ChainCore.Node.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace ChainCore.Node.Api;

public static class TransactionEndpoints
{
    public static IEndpointRouteBuilder MapTransactionEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/transactions").WithTags("Transactions");
        group.MapGet("/{txid}", GetTransaction)
            .WithSummary("A transaction by id")
            .WithDescription("From the mempool or the chain, with its inputs (and the addresses that signed them), outputs, block and confirmations.")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/", Submit)
            .WithSummary("Submit a signed transaction")
            .WithDescription("JSON (its hex, or its fields) or the raw hex as text/plain. Accepted into the mempool: 201 with its id. Malformed input is 400 malformed naming the field; a consensus refusal is 400 with its code (bad-signature, pubkey-uncompressed…); a double spend 409; unknown inputs, an immature coinbase or a policy refusal (fee-too-low, mempool-min-fee-not-met, output-not-positive) 422.")
            .Accepts<SubmitTransactionRequest>("application/json", "text/plain")
            .AddOpenApiOperationTransformer(ApiDocument.RawHexBody)
            .Produces<SubmitTransactionResponse>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        app.MapGet("/mempool", GetMempool)
            .WithTags("Transactions")
            .WithSummary("The mempool")
            .WithDescription("Unconfirmed transactions with their size, fee and fee rate; min_fee_per_kb is the fee rate (units per 1,000 bytes) a transaction needs to enter now: min_relay_fee_per_kb, or more after the full mempool evicted transactions (it then halves every 12 hours, sooner in an emptier mempool, once a block has come).");
        return app;
    }

    private static async Task<Results<Ok<TransactionResponse>, ProblemHttpResult>> GetTransaction(string txid, ChainEngine chain, IMempoolView mempool, IChainStore store, CancellationToken ct)
    {
        if (!Hash256.TryParse(txid, out var id))
        {
            return ApiProblems.Malformed($"'{txid}' is not a transaction id (64 hex digits).");
        }

        var tipHeight = chain.Tip.Height;
        if (mempool.Get(id) is { } pooled)
        {
            return TypedResults.Ok(ApiMapper.ToResponse(pooled.Transaction, null, null, tipHeight, inMempool: true));
        }

        var stored = await store.GetTransactionAsync(id, ct);
        return stored is null
            ? ApiProblems.Missing($"Transaction {txid}")
            : TypedResults.Ok(ApiMapper.ToResponse(stored.Transaction, stored.BlockHash, stored.BlockHeight, tipHeight, inMempool: false));
    }

    /// <summary>A signed transaction as raw hex (text/plain, or JSON <c>{"hex": …}</c>) or as JSON fields.</summary>
    private static async Task<Results<Created<SubmitTransactionResponse>, ProblemHttpResult>> Submit(HttpRequest request, ChainEngine chain, IOptions<NodeOptions> options, CancellationToken ct)
    {
        var text = await RequestBody.ReadTextAsync(request, options.Value.MaxRequestBytes, ct);
        var transaction = request.HasJsonContentType()
            ? RequestParser.ParseTransaction(RequestBody.ParseJson<SubmitTransactionRequest>(text))
            : RequestParser.ParseTransactionHex(text, "body");

        var result = await chain.AcceptTransactionAsync(transaction, ct);
        return result.Accepted
            ? TypedResults.Created($"/transactions/{result.TxId}", new SubmitTransactionResponse(result.TxId.ToString(), true))
            : ApiProblems.Rejected(result.Validation);
    }

    private static Ok<MempoolResponse> GetMempool(ChainEngine chain, IMempoolView mempool)
    {
        var entries = mempool.Snapshot();
        return TypedResults.Ok(new MempoolResponse(
            entries.Count,
            entries.Sum(e => e.Size),
            chain.MempoolMinimumFeePerKb,
            chain.MinRelayFeePerKb,
            [.. entries.Select(e => new MempoolEntryResponse(e.TxId.ToString(), e.Size, e.Fee.ToCoins(), e.FeeRatePerKb, e.Received))]));
    }
}
