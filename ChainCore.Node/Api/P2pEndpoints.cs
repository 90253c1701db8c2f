using ChainCore.Core.Primitives;
using ChainCore.Node.Chain;
using ChainCore.Node.Mempool;
using ChainCore.Node.Network;
using ChainCore.Node.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ChainCore.Node.Api;

/// <summary>
/// Peer traffic over the API's HTTP endpoint. Every <c>/p2p</c> call carries the session token its
/// sender was given in the handshake (<see cref="P2pHeaders.Session"/>); a call without a valid one is
/// refused (401) and charges nobody. What a session sends is handled by <see cref="PeerMessageHandler"/>;
/// what it asks for is answered from this node's chain and mempool.
/// </summary>
public static class P2pEndpoints
{
    private const string PeerItem = "chaincore.peer";

    public static IEndpointRouteBuilder MapP2pEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/p2p").WithTags("P2P").AddEndpointFilter(RequireSession)
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        group.MapPost("/announce", Announce)
            .WithSummary("A peer announces blocks and transactions")
            .WithDescription("New blocks by their 80-byte headers in hex (at most 8) and new transactions by txid (at most 1,000). This node fetches from the announcer what it lacks and what has more work than its tip; invalid data counts against the session.")
            .Accepts<InventoryMessage>("application/json").Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        group.MapGet("/headers", GetHeaders)
            .WithSummary("Headers after a block locator")
            .WithDescription("Best-chain headers (at most 2,000) following the first hash of 'locator' (comma-separated, newest first, at most 101) that this node knows, for headers-first catch-up.")
            .Produces<HeadersResponse>().ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapGet("/blocks/{hash}", GetBlock)
            .WithSummary("A block's raw hex")
            .WithDescription("Any stored block by hash, serialized in hex (text/plain).")
            .Produces<string>(StatusCodes.Status200OK, "text/plain").ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/transactions/{txid}", GetTransaction)
            .WithSummary("A mempool transaction's raw hex")
            .WithDescription("A transaction waiting in this node's mempool, serialized in hex (text/plain), for a peer that was told of it.")
            .Produces<string>(StatusCodes.Status200OK, "text/plain").ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/status", StatusEndpoints.GetStatus)
            .WithSummary("The node's status, for a peer's tip check")
            .WithDescription("As GET /status, for a session: a session this node no longer knows is told so (401).")
            .Produces<Core.Api.StatusResponse>();
        group.MapGet("/addresses", GetAddresses)
            .WithSummary("Addresses of other nodes")
            .WithDescription("Addresses this node has connected to itself (its tried table), at most 100.")
            .Produces<AddressesResponse>();
        return app;
    }

    private static async ValueTask<object?> RequireSession(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var connections = http.RequestServices.GetRequiredService<ConnectionManager>();
        if (connections.FindBySession(http.Request.Headers[P2pHeaders.Session].ToString()) is not { } peer)
        {
            return ApiProblems.Create(StatusCodes.Status401Unauthorized, PeerCodes.NoSession,
                $"/p2p calls need the session token of a handshake (POST /peers) in the {P2pHeaders.Session} header.");
        }

        http.Items[PeerItem] = peer;
        return await next(context);
    }

    private static Peer SessionOf(HttpContext context) => (Peer)context.Items[PeerItem]!;

    private static async Task<Results<NoContent, ProblemHttpResult>> Announce(HttpContext context, PeerMessageHandler messages, CancellationToken ct)
    {
        var peer = SessionOf(context);
        IReadOnlyList<BlockHeader> headers;
        IReadOnlyList<Hash256> txids;
        try
        {
            var text = await RequestBody.ReadTextAsync(context.Request, PeerWire.MaxAnnouncementBytes, ct);
            (headers, txids) = PeerWire.ParseAnnouncement(System.Text.Encoding.UTF8.GetBytes(text));
        }
        catch (PeerProtocolException e)
        {
            await messages.OnProtocolViolationAsync(peer, e);
            return ApiProblems.Create(StatusCodes.Status400BadRequest, e.Code, e.Message);
        }
        catch (BadRequestException e)
        {
            await messages.OnProtocolViolationAsync(peer, new PeerProtocolException(e.Code, e.Message));
            throw;
        }

        await messages.OnAnnouncementAsync(peer, headers, txids, ct);
        return TypedResults.NoContent();
    }

    private static Results<Ok<HeadersResponse>, ProblemHttpResult> GetHeaders(string? locator, ChainEngine chain)
    {
        IReadOnlyList<Hash256> hashes;
        try
        {
            hashes = PeerWire.ParseLocator(locator);
        }
        catch (PeerProtocolException e)
        {
            return ApiProblems.Malformed(e.Message);
        }

        var active = chain.ActiveChain;
        var fork = BlockLocator.FindFork(active, hashes, chain.GetEntry);
        var headers = BlockLocator.HeadersAfter(active, fork).Select(h => Core.Serialization.Hex.Encode(h.Serialize())).ToList();
        return TypedResults.Ok(new HeadersResponse(headers.Count, headers));
    }

    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> GetBlock(string hash, ChainEngine chain, IChainStore store, CancellationToken ct)
    {
        if (!Hash256.TryParse(hash, out var id))
        {
            return ApiProblems.Malformed($"'{Shorten(hash)}' is not a block hash (64 hex digits).");
        }

        var block = chain.GetEntry(id) is null ? null : await store.GetBlockAsync(id, ct);
        return block is null
            ? ApiProblems.Missing($"Block {hash}")
            : TypedResults.Text(block.ToHex(), "text/plain");
    }

    private static Results<ContentHttpResult, ProblemHttpResult> GetTransaction(string txid, IMempoolView mempool)
    {
        if (!Hash256.TryParse(txid, out var id))
        {
            return ApiProblems.Malformed($"'{Shorten(txid)}' is not a txid (64 hex digits).");
        }

        return mempool.Get(id) is { } entry
            ? TypedResults.Text(entry.Transaction.ToHex(), "text/plain")
            : ApiProblems.Missing($"Mempool transaction {txid}");
    }

    private static Ok<AddressesResponse> GetAddresses(ConnectionManager connections)
    {
        var addresses = connections.Book.Tried(100).Select(a => a.Value).ToList();
        return TypedResults.Ok(new AddressesResponse(addresses.Count, addresses));
    }

    private static string Shorten(string text) => text.Length > 70 ? text[..70] + "…" : text;
}
