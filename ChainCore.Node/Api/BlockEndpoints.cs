using ChainCore.Core.Api;
using ChainCore.Core.Primitives;
using ChainCore.Node.Chain;
using ChainCore.Node.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ChainCore.Node.Api;

public static class BlockEndpoints
{
    public const int MaxPageSize = 500;

    public static IEndpointRouteBuilder MapBlockEndpoints(this IEndpointRouteBuilder app)
    {
        var blocks = app.MapGroup("/blocks").WithTags("Blocks");
        blocks.MapGet("/latest", GetLatest)
            .WithSummary("The tip block")
            .WithDescription("The best chain's last block with its transactions and its serialization in hex.");
        blocks.MapGet("/{height}", GetByHeight)
            .WithSummary("A block of the best chain by height")
            .WithDescription("Height 0 is the genesis block. A height above the tip is 404 not-found; anything but a non-negative integer is 400 malformed.")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        blocks.MapGet("/hash/{hash}", GetByHash)
            .WithSummary("A block by hash")
            .WithDescription("Any stored block, on the best chain or a side branch (64 hex digits, as block explorers show them).")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        blocks.MapGet("/", GetRange)
            .WithSummary("Block summaries by height range")
            .WithDescription($"Summaries (no transactions) of the best chain's blocks from height 'start' (default 0), at most 'limit' (1 to {MaxPageSize}, default 20).")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        return app;
    }

    private static async Task<Ok<BlockResponse>> GetLatest(ChainEngine chain, IChainStore store, CancellationToken ct)
    {
        var tip = chain.Tip;
        var block = await store.GetBlockAsync(tip.Hash, ct) ?? throw new InvalidOperationException("The tip is not stored.");
        return TypedResults.Ok(ApiMapper.ToResponse(block, tip.Height, tip.Height, withTransactions: true));
    }

    private static async Task<Results<Ok<BlockResponse>, ProblemHttpResult>> GetByHeight(string height, ChainEngine chain, IChainStore store, CancellationToken ct)
    {
        if (!int.TryParse(height, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var h))
        {
            return ApiProblems.Malformed($"'{height}' is not a block height (a non-negative integer).");
        }

        var tipHeight = chain.Tip.Height;
        var block = h <= tipHeight ? await store.GetBlockByHeightAsync(h, ct) : null;
        return block is null
            ? ApiProblems.Missing($"A block at height {h} (the tip is at {tipHeight})")
            : TypedResults.Ok(ApiMapper.ToResponse(block, h, tipHeight, withTransactions: true));
    }

    private static async Task<Results<Ok<BlockResponse>, ProblemHttpResult>> GetByHash(string hash, ChainEngine chain, IChainStore store, CancellationToken ct)
    {
        if (!Hash256.TryParse(hash, out var parsed))
        {
            return ApiProblems.Malformed($"'{hash}' is not a block hash (64 hex digits).");
        }

        var entry = chain.GetEntry(parsed);
        var block = entry is null ? null : await store.GetBlockAsync(parsed, ct);
        return block is null
            ? ApiProblems.Missing($"Block {hash}")
            : TypedResults.Ok(ApiMapper.ToResponse(block, entry!.Height, chain.Tip.Height, withTransactions: true));
    }

    private static async Task<Results<Ok<BlockListResponse>, ProblemHttpResult>> GetRange(ChainEngine chain, IChainStore store, string? start, string? limit, CancellationToken ct)
    {
        var tipHeight = chain.Tip.Height;
        var from = 0;
        var count = 20;
        if (start is not null && !int.TryParse(start, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out from))
        {
            return ApiProblems.Malformed($"start '{start}' is not a non-negative integer.");
        }

        if (limit is not null && (!int.TryParse(limit, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out count) || count is < 1 or > MaxPageSize))
        {
            return ApiProblems.Malformed($"limit '{limit}' must be an integer from 1 to {MaxPageSize}.");
        }

        var rows = await store.GetBlocksAsync(from, count, ct);
        var blocks = rows.Select(r => ApiMapper.ToSummary(r, tipHeight)).ToList();
        return TypedResults.Ok(new BlockListResponse(blocks, from, count, tipHeight));
    }
}
