using System.ComponentModel;
using System.Text.Json.Serialization;
using ChainCore.Core.Consensus;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace ChainCore.Node.Api;

[Description("Sets the node's clock, as Bitcoin Core's setmocktime (regtest and devnet).")]
public sealed record MockTimeRequest(
    [property: JsonRequired, Description("Unix seconds the node's clock stands at from now on; 0 returns to the wall clock.")] long Time);

/// <param name="MockTime">The set time in Unix seconds; 0 when the node follows the wall clock.</param>
/// <param name="Now">The node's time now, in Unix seconds.</param>
public sealed record MockTimeResponse(long MockTime, long Now);

/// <summary>Endpoints for testing a node from outside its process; none of them exists on main.</summary>
public static class DebugEndpoints
{
    public static WebApplication MapDebugEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var network = app.Services.GetRequiredService<IOptions<NodeOptions>>().Value.Network;
        if (string.Equals(network, ConsensusParams.Main.Name, StringComparison.OrdinalIgnoreCase))
        {
            // Main runs on the wall clock: the endpoint is not there at all (404).
            return app;
        }

        app.MapPost("/debug/mocktime", SetMockTime)
            .WithTags("Debug")
            .WithSummary("Set the node's clock (regtest and devnet)")
            .WithDescription("As Bitcoin Core's setmocktime: the node's time stands at 'time' (Unix seconds) until set again; 0 returns to the wall clock. Timers keep the wall clock's pace. Block times are checked against this clock (at most two hours ahead), and templates take their time from it. Not available on main (404).")
            .AddOpenApiOperationTransformer(ApiDocument.JsonBody<MockTimeRequest>)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        return app;
    }

    private static async Task<Results<Ok<MockTimeResponse>, ProblemHttpResult>> SetMockTime(HttpRequest request, TimeProvider clock, IOptions<NodeOptions> options, CancellationToken ct)
    {
        var body = await RequestBody.ReadJsonAsync<MockTimeRequest>(request, options.Value.MaxRequestBytes, ct);
        if (clock is not NodeClock settable)
        {
            return ApiProblems.Create(StatusCodes.Status403Forbidden, ApiProblems.NotAvailable, "This node's clock is its host's (a test's) and is not set through the API.");
        }

        if (body.Time is < 0 or > uint.MaxValue)
        {
            return ApiProblems.Malformed($"'time' must be Unix seconds between 0 and {uint.MaxValue} (0: the wall clock).");
        }

        settable.SetMockTime(body.Time);
        return TypedResults.Ok(new MockTimeResponse(settable.MockTime, clock.GetUtcNow().ToUnixTimeSeconds()));
    }
}
