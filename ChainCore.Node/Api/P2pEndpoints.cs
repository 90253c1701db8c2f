using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;
using ChainCore.Node.Chain;
using ChainCore.Node.Network;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace ChainCore.Node.Api;

/// <summary>
/// Peer traffic over the API's HTTP endpoint. Pushes (<c>POST /p2p/blocks</c>, <c>/p2p/transactions</c>,
/// raw hex) come only from connected peers, named in <see cref="P2pHeaders.PeerId"/>; what they
/// send is scored by its validation category. Reads (<c>GET /p2p/headers</c>, <c>/p2p/blocks/{hash}</c>)
/// are open, like the rest of the API. Malformed input is refused and changes nothing.
/// </summary>
public static class P2pEndpoints
{
    public static IEndpointRouteBuilder MapP2pEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/p2p").WithTags("P2P");
        group.MapPost("/blocks", PostBlock)
            .WithSummary("A peer relays a block")
            .WithDescription("Raw block hex from a connected peer (named in its peer header). Accepted, duplicate or orphan (the node then catches up from the sender); an invalid block is refused with its code and counts against the peer.")
            .Accepts<string>("text/plain").Produces<RelayResponse>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status403Forbidden);
        group.MapPost("/transactions", PostTransaction)
            .WithSummary("A peer relays a transaction")
            .WithDescription("Raw transaction hex from a connected peer; it enters the mempool as a submitted one would, and an invalid one counts against the peer.")
            .Accepts<string>("text/plain").Produces<RelayResponse>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status403Forbidden);
        group.MapGet("/headers", GetHeaders)
            .WithSummary("Headers after a block locator")
            .WithDescription("Best-chain headers following the first hash of 'locator' (comma-separated, newest first) that this node knows, for headers-first catch-up.");
        group.MapGet("/blocks/{hash}", GetBlock)
            .WithSummary("A block's raw hex")
            .WithDescription("Any stored block by hash, serialized in hex (text/plain), for peers catching up.")
            .Produces<string>(StatusCodes.Status200OK, "text/plain");
        return app;
    }

    private static async Task<Results<Ok<RelayResponse>, Accepted<RelayResponse>, ProblemHttpResult>> PostBlock(
        HttpRequest request, ChainEngine chain, PeerManager peers, RelaySources sources, SyncQueue sync, IOptions<NodeOptions> options, CancellationToken ct)
    {
        if (Sender(request, peers, out var refusal) is not { } peer)
        {
            return refusal!;
        }

        // A full block in hex is twice its size: never refuse a valid block for the API's general limit.
        var limit = Math.Max(options.Value.MaxRequestBytes, (2 * chain.Params.MaxBlockSize) + 1_024);
        var text = await RequestBody.ReadTextAsync(request, limit, ct);
        var block = RequestParser.ParseBlockHex(text.Trim(), "body");
        sources.Record(block.Hash, peer.NodeId);
        var result = await chain.ProcessBlockAsync(block, ct);
        switch (result.Status)
        {
            case BlockStatus.Accepted:
                return TypedResults.Ok(new RelayResponse(result.Hash.ToString(), "accepted", result.Height));
            case BlockStatus.Duplicate:
                return TypedResults.Ok(new RelayResponse(result.Hash.ToString(), "duplicate", result.Height));
            case BlockStatus.Orphan:
                // The sender has the missing ancestors: catch up from it.
                sync.Request(peer.NodeId);
                return TypedResults.Accepted((string?)null, new RelayResponse(result.Hash.ToString(), "orphan"));
            default:
                peers.Misbehaving(peer, result.Validation);
                return ApiProblems.Rejected(result.Validation);
        }
    }

    private static async Task<Results<Ok<RelayResponse>, ProblemHttpResult>> PostTransaction(
        HttpRequest request, ChainEngine chain, PeerManager peers, RelaySources sources, IOptions<NodeOptions> options, CancellationToken ct)
    {
        if (Sender(request, peers, out var refusal) is not { } peer)
        {
            return refusal!;
        }

        var text = await RequestBody.ReadTextAsync(request, options.Value.MaxRequestBytes, ct);
        var transaction = RequestParser.ParseTransactionHex(text.Trim(), "body");
        sources.Record(transaction.TxId, peer.NodeId);
        var result = await chain.AcceptTransactionAsync(transaction, ct);
        if (result.Accepted)
        {
            return TypedResults.Ok(new RelayResponse(result.TxId.ToString(), "accepted"));
        }

        if (result.Validation.Category == ValidationCategory.Duplicate || result.Validation.Code == RejectCodes.AlreadyKnown)
        {
            return TypedResults.Ok(new RelayResponse(result.TxId.ToString(), "duplicate"));
        }

        peers.Misbehaving(peer, result.Validation);
        return ApiProblems.Rejected(result.Validation);
    }

    /// <summary>Headers of the best chain after the locator's fork point: <c>?locator=hash,hash,…</c> (newest first, at most 101).</summary>
    private static Results<Ok<HeadersResponse>, ProblemHttpResult> GetHeaders(string? locator, ChainEngine chain)
    {
        if (string.IsNullOrWhiteSpace(locator))
        {
            return ApiProblems.Malformed("'locator' is required: block hashes separated by commas, newest first (at most 101).");
        }

        var parts = locator.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length > BlockLocator.MaxEntries)
        {
            return ApiProblems.Malformed($"'locator' has {parts.Length} hashes; at most {BlockLocator.MaxEntries} are allowed.");
        }

        var hashes = new List<Hash256>(parts.Length);
        foreach (var part in parts)
        {
            if (!Hash256.TryParse(part, out var hash))
            {
                return ApiProblems.Malformed($"'locator' holds '{(part.Length > 70 ? part[..70] + "…" : part)}', which is not a block hash (64 hex digits).");
            }

            hashes.Add(hash);
        }

        var active = chain.State.Active;
        var fork = BlockLocator.FindFork(active, hashes, chain.GetEntry);
        var headers = BlockLocator.HeadersAfter(active, fork).Select(h => Core.Serialization.Hex.Encode(h.Serialize())).ToList();
        return TypedResults.Ok(new HeadersResponse(headers.Count, headers));
    }

    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> GetBlock(string hash, ChainEngine chain, CancellationToken ct)
    {
        if (!Hash256.TryParse(hash, out var id))
        {
            return ApiProblems.Malformed($"'{(hash.Length > 70 ? hash[..70] + "…" : hash)}' is not a block hash (64 hex digits).");
        }

        var block = chain.GetEntry(id) is null ? null : await chain.Store.GetBlockAsync(id, ct);
        return block is null
            ? ApiProblems.Missing($"Block {hash}")
            : TypedResults.Text(block.ToHex(), "text/plain");
    }

    private static Peer? Sender(HttpRequest request, PeerManager peers, out ProblemHttpResult? refusal)
    {
        var id = request.Headers[P2pHeaders.PeerId].ToString();
        refusal = null;
        if (peers.Get(id) is { } peer)
        {
            return peer;
        }

        refusal = peers.IsBanned(id)
            ? ApiProblems.Create(StatusCodes.Status403Forbidden, PeerCodes.PeerBanned, $"Peer {id} sent invalid data and is refused for now.")
            : ApiProblems.Create(StatusCodes.Status403Forbidden, PeerCodes.PeerUnknown, $"Only connected peers may send to /p2p; name yourself in the {P2pHeaders.PeerId} header after a handshake (POST /peers).");
        return null;
    }
}
