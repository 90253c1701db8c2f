using System.Globalization;
using ChainCore.Core.Api;
using ChainCore.Core.Consensus;
using ChainCore.Core.Crypto;
using ChainCore.Core.Mining;
using ChainCore.Core.Primitives;
using ChainCore.Node.Chain;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace ChainCore.Node.Api;

public static class MiningEndpoints
{
    public static IEndpointRouteBuilder MapMiningEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/mining/template", GetTemplate)
            .WithTags("Mining")
            .WithSummary("A block template to mine")
            .WithDescription("A block on the tip, nonce 0, whose coinbase pays 'address' the subsidy and the fees of the mempool transactions it holds (highest fee rate first); solve the header and send it to /mining/submit.");
        app.MapPost("/mining/submit", Submit)
            .WithTags("Mining")
            .WithSummary("Submit a solved block")
            .WithDescription("The block is checked and stored; it becomes the tip if its chain has the most work (a reorg if needed). A refusal is a problem with the consensus code (bad-pow, bad-prev-block…); a block on a tip that moved is 409.")
            .AddOpenApiOperationTransformer(ApiDocument.JsonBody<SubmitBlockRequest>);
        app.MapPost("/mine_block", MineBlock)
            .WithTags("Mining")
            .WithSummary("Mine one block on the node (regtest and devnet)")
            .WithDescription("The node builds a template paying 'miner_address', solves it itself and adds it to its chain. Refused with 403 not-available on main.")
            .AddOpenApiOperationTransformer(ApiDocument.JsonBody<MineBlockRequest>)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        return app;
    }

    private static Results<Ok<MiningTemplateResponse>, ProblemHttpResult> GetTemplate(string? address, ChainEngine chain)
    {
        if (address is null || !Address.TryParse(address, out var payout))
        {
            return ApiProblems.InvalidAddress(address ?? string.Empty);
        }

        var template = chain.CreateTemplate(payout.PublicKeyHash);
        var block = template.Block;
        var target = Target.FromCompact(block.Header.Bits);
        return TypedResults.Ok(new MiningTemplateResponse(
            template.Height,
            block.Header.PreviousHash.ToString(),
            block.Header.Version,
            block.Header.Time,
            template.MinTime,
            block.Header.Bits.ToString("x8", CultureInfo.InvariantCulture),
            target.ToString("x64", CultureInfo.InvariantCulture)[^64..],
            block.Transactions[0].TotalOutput().ToCoins(),
            payout.ToString(),
            [.. block.Transactions.Skip(1).Select(tx => new TemplateTransaction(tx.TxId.ToString(), tx.ToHex(), chain.Mempool.Get(tx.TxId)?.Fee.ToCoins() ?? 0m))],
            block.ToHex()));
    }

    private static async Task<Results<Ok<SubmitBlockResponse>, ProblemHttpResult>> Submit(HttpRequest request, ChainEngine chain, IOptions<NodeOptions> options, CancellationToken ct)
    {
        var body = await RequestBody.ReadJsonAsync<SubmitBlockRequest>(request, options.Value.MaxRequestBytes, ct);
        var block = RequestParser.ParseBlockHex(body.Hex, "hex");
        var result = await chain.ProcessBlockAsync(block, ct);
        return result.Status == BlockStatus.Accepted
            ? TypedResults.Ok(new SubmitBlockResponse(result.Hash.ToString(), result.Height ?? -1, true, result.BecameTip))
            : ApiProblems.Rejected(result.Validation);
    }

    /// <summary>Regtest and devnet only: the node mines one block on its tip itself.</summary>
    private static async Task<Results<Ok<MineBlockResponse>, ProblemHttpResult>> MineBlock(HttpRequest request, ChainEngine chain, IOptions<NodeOptions> options, CancellationToken ct)
    {
        if (chain.Params.Name is not ("regtest" or "devnet"))
        {
            return ApiProblems.Create(StatusCodes.Status403Forbidden, ApiProblems.NotAvailable, "/mine_block is only available on regtest and devnet.");
        }

        var body = await RequestBody.ReadJsonAsync<MineBlockRequest>(request, options.Value.MaxRequestBytes, ct);
        var payout = RequestParser.ParseAddress(body.MinerAddress, "miner_address");

        while (true)
        {
            var template = chain.CreateTemplate(payout.PublicKeyHash);
            var solved = BlockSolver.Solve(template.Block, chain.Params, ct);
            var result = await chain.ProcessBlockAsync(solved, ct);
            if (result.Status == BlockStatus.Accepted && result.BecameTip)
            {
                return TypedResults.Ok(new MineBlockResponse(solved.Hash.ToString(), result.Height ?? -1, solved.Transactions.Length, solved.Header.Nonce));
            }

            if (result.Status == BlockStatus.Invalid)
            {
                return ApiProblems.Rejected(result.Validation);
            }

            // Another block arrived while solving: mine again on the new tip.
        }
    }
}
