namespace ChainCore.Node.Network;

/// <summary>The node's peer-to-peer services: options, the named client, peers, relay, catch-up and the tip check.</summary>
public static class NetworkServices
{
    public static IServiceCollection AddChainCoreNetwork(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<P2pOptions>()
            .Bind(configuration.GetSection(P2pOptions.Section))
            .Validate(o => o.MaxPeers > 0 && o.TargetPeers >= 0 && o.Retries >= 0 && o.DownloadWindow > 0 && o.MaxQueuedAnnouncements > 0, "P2p limits must be positive.")
            .Validate(o => o.TipCheckInterval > TimeSpan.Zero && o.RequestTimeout > TimeSpan.Zero && o.BanDuration >= TimeSpan.Zero, "P2p intervals must be positive.")
            .ValidateOnStart();
        services.AddTransient<P2pRetryHandler>();
        services.AddHttpClient(P2pOptions.HttpClientName, c => c.Timeout = Timeout.InfiniteTimeSpan)
            .AddHttpMessageHandler<P2pRetryHandler>()
            .RemoveAllLoggers();
        services.AddSingleton<PeerClient>();
        services.AddSingleton<SyncQueue>();
        services.AddSingleton<RelaySources>();
        services.AddSingleton<PeerManager>();
        services.AddSingleton<BlockSync>();
        services.AddSingleton<PeerMaintenance>();
        services.AddHostedService(sp => sp.GetRequiredService<BlockSync>());
        services.AddHostedService<RelayService>();
        services.AddHostedService(sp => sp.GetRequiredService<PeerMaintenance>());
        return services;
    }
}
