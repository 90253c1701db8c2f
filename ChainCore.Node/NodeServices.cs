using ChainCore.Core.Api;
using ChainCore.Core.Consensus;
using ChainCore.Node.Addresses;
using ChainCore.Node.Api;
using ChainCore.Node.Chain;
using ChainCore.Node.Dashboard;
using ChainCore.Node.Mempool;
using ChainCore.Node.Network;
using ChainCore.Node.Storage;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ChainCore.Node;

/// <summary>Everything a node registers and maps; <see cref="Program"/> and the test harness both use it.</summary>
public static class NodeServices
{
    public static WebApplicationBuilder AddChainCoreNode(this WebApplicationBuilder builder)
    {
        builder.AddNodeOptions();
        builder.Services.TryAddSingleton<TimeProvider>(sp => new NodeClock(TimeProvider.System, sp.GetRequiredService<IOptions<NodeOptions>>().Value.MockTime ?? 0));
        builder.Services.AddSingleton(sp => sp.GetRequiredService<IOptions<NodeOptions>>().Value.ResolveConsensus());
        builder.Services.AddSingleton(sp => CreateStore(sp.GetRequiredService<IOptions<NodeOptions>>().Value));
        builder.Services.AddSingleton<IChainStore>(sp => sp.GetRequiredService<SqlChainStore>());
        builder.Services.AddSingleton(sp => sp.GetRequiredService<SqlChainStore>().Peers);
        builder.Services.AddSingleton(sp => sp.GetRequiredService<SqlChainStore>().MiningStats);
        builder.Services.AddSingleton(sp => sp.GetRequiredService<SqlChainStore>().SavedMempool);
        builder.Services.AddSingleton(_ => new SignatureCache());
        builder.Services.AddSingleton(sp => new SignatureVerifier(sp.GetRequiredService<SignatureCache>()));
        builder.Services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<NodeOptions>>().Value;
            return new TransactionPool(o.MaxMempoolTransactions, o.MaxMempoolBytes, o.MempoolLimits, sp.GetRequiredService<TimeProvider>());
        });
        builder.Services.AddSingleton<IMempoolView>(sp => sp.GetRequiredService<TransactionPool>());
        builder.Services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<NodeOptions>>().Value;
            return new ChainEngine(
                sp.GetRequiredService<IChainStore>(),
                sp.GetRequiredService<ConsensusParams>(),
                sp.GetRequiredService<TransactionPool>(),
                sp.GetRequiredService<TimeProvider>(),
                o.MinRelayFeePerKb,
                o.MaxOrphanBlocks,
                sp.GetRequiredService<ILogger<ChainEngine>>(),
                sp.GetRequiredService<SignatureVerifier>());
        });
        builder.Services.AddHostedService<ChainInitializer>();
        builder.Services.AddSingleton<AddressService>();
        builder.Services.AddChainCoreNetwork(builder.Configuration);

        builder.Services.Configure<JsonOptions>(o => ApiJson.Configure(o.SerializerOptions));
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = ApiProblems.Customize);
        builder.Services.AddExceptionHandler<ApiExceptionHandler>();
        builder.Services.AddApiDocument();
        builder.Services.AddDashboard(builder.Configuration);
        return builder;
    }

    public static WebApplication MapChainCoreNode(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapApiDocument();
        app.MapStatusEndpoints();
        app.MapBlockEndpoints();
        app.MapTransactionEndpoints();
        app.MapAddressEndpoints();
        app.MapMiningEndpoints();
        app.MapPeerEndpoints();
        app.MapP2pEndpoints();
        app.MapDebugEndpoints();
        app.MapDashboardEndpoints();
        return app;
    }

    public static SqlChainStore CreateStore(NodeOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.Database))
        {
            return new PostgresChainStore(options.Database);
        }

        Directory.CreateDirectory(options.DataDir);
        return new SqliteChainStore(options.SqlitePath);
    }
}
