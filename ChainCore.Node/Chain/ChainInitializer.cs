namespace ChainCore.Node.Chain;

/// <summary>Loads the chain from the store before the node serves requests (hosted services start before the server).</summary>
public sealed class ChainInitializer(ChainEngine chain) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => chain.InitializeAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
