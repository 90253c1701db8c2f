using ChainCore.Node.Chain;
using Microsoft.Extensions.Options;

namespace ChainCore.Node.Network;

/// <summary>The node's peer-to-peer services: options, the named client, connections, the address book and ban list, message handling, relay, catch-up and the tip check.</summary>
public static class NetworkServices
{
    public static IServiceCollection AddChainCoreNetwork(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<P2pOptions>()
            .Bind(configuration.GetSection(P2pOptions.Section))
            .Validate(o => o.MaxPeers > 0 && o.MaxOutbound >= 0 && o.MaxOutbound <= o.MaxPeers && o.Retries >= 0 && o.DownloadWindow > 0 && o.MaxQueuedAnnouncements > 0
                           && o.MaxConcurrentConnects > 0 && o.MaxPendingHandshakes > 0, "P2p limits must be positive, and MaxOutbound at most MaxPeers.")
            .Validate(o => o.TipCheckInterval > TimeSpan.Zero && o.RequestTimeout > TimeSpan.Zero && o.ConnectTimeout > TimeSpan.Zero && o.BanDuration >= TimeSpan.Zero, "P2p intervals must be positive.")
            .ValidateOnStart();
        services.AddTransient<P2pRetryHandler>();
        services.AddHttpClient(P2pOptions.HttpClientName, c => c.Timeout = Timeout.InfiniteTimeSpan)
            .AddHttpMessageHandler<P2pRetryHandler>()
            .RemoveAllLoggers();
        services.AddSingleton<IPeerClient, PeerClient>();
        services.AddSingleton<SyncQueue>();
        services.AddSingleton(sp => new AddressBook(
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<P2pOptions>>().Value.AllowsPrivateAddresses(sp.GetRequiredService<ChainEngine>().Params.Name)));
        services.AddSingleton<BanList>();
        services.AddSingleton<ConnectionManager>();
        services.AddSingleton<PeerMessageHandler>();
        services.AddSingleton<BlockSync>();
        services.AddSingleton<RelayService>();
        services.AddSingleton<PeerMaintenance>();
        services.AddHostedService(sp => sp.GetRequiredService<BlockSync>());
        services.AddHostedService(sp => sp.GetRequiredService<RelayService>());
        services.AddHostedService(sp => sp.GetRequiredService<PeerMaintenance>());
        return services;
    }
}
