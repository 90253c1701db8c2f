namespace ChainCore.Miner;

/// <summary>The miner's own small API: its status, and switching mining on and off.</summary>
public static class MinerEndpoints
{
    public static IEndpointRouteBuilder MapMinerEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/status", (MiningService miner) => TypedResults.Ok(miner.Status())).WithTags("Miner");
        app.MapPost("/start", (MiningService miner) =>
        {
            miner.Start();
            return TypedResults.Ok(miner.Status());
        }).WithTags("Miner");
        app.MapPost("/stop", (MiningService miner) =>
        {
            miner.Stop();
            return TypedResults.Ok(miner.Status());
        }).WithTags("Miner");
        return app;
    }
}
