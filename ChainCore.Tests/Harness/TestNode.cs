using ChainCore.Core.Api;
using ChainCore.Node.Chain;
using ChainCore.Node.Mempool;
using ChainCore.Node.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace ChainCore.Tests.Harness;

/// <summary>A running node under test: its typed client, and its engine and store for assertions.</summary>
public sealed class TestNode : IAsyncDisposable
{
    private readonly NodeFactory _factory;

    private TestNode(NodeFactory factory)
    {
        _factory = factory;
        Http = factory.CreateClient();
        Client = new NodeClient(Http);
    }

    public string NodeId => _factory.Settings.NodeId;

    public NodeSettings Settings => _factory.Settings;

    public HttpClient Http { get; }

    public NodeClient Client { get; }

    public ChainEngine Chain => _factory.Services.GetRequiredService<ChainEngine>();

    public IChainStore Store => _factory.Services.GetRequiredService<IChainStore>();

    /// <summary>The node's mempool, read-only.</summary>
    public IMempoolView Mempool => _factory.Services.GetRequiredService<IMempoolView>();

    public IServiceProvider Services => _factory.Services;

    /// <summary>A handler that sends requests straight into this node's test server, which sees them come from <paramref name="remote"/> (for in-memory peer routing).</summary>
    public HttpMessageHandler CreateServerHandler(System.Net.IPAddress remote) =>
        _factory.Server.CreateHandler(context => context.Connection.RemoteIpAddress = remote);

    /// <summary>Starts a node; the chain is loaded (or created) before this returns.</summary>
    public static Task<TestNode> StartAsync(NodeSettings settings)
    {
        var factory = new NodeFactory(settings);
        try
        {
            return Task.FromResult(new TestNode(factory));
        }
        catch
        {
            factory.Dispose();
            throw;
        }
    }

    /// <summary>Mines <paramref name="blocks"/> blocks on this node through <c>/mine_block</c>, paying <paramref name="address"/>.</summary>
    public async Task<IReadOnlyList<MineBlockResponse>> MineAsync(int blocks, string address, CancellationToken ct = default)
    {
        var mined = new List<MineBlockResponse>(blocks);
        for (var i = 0; i < blocks; i++)
        {
            mined.Add(await Client.MineBlockAsync(address, ct));
        }

        return mined;
    }

    public Task<StatusResponse> StatusAsync(CancellationToken ct = default) => Client.GetStatusAsync(ct);

    /// <summary>The test's log the node writes into, if it has one.</summary>
    public TestLog? Log => _factory.Settings.Log;

    /// <summary>The node's state when it was disposed (for the evidence of a failed test), or null while it runs.</summary>
    public string? FinalState { get; private set; }

    public override string ToString()
    {
        if (FinalState is not null)
        {
            return FinalState + " (stopped)";
        }

        var tip = Chain.IsInitialized ? $"{Chain.Tip.Height} {Chain.Tip.Hash}" : "not started";
        return $"{NodeId}: tip {tip}, mempool {Mempool.Count}";
    }

    public async ValueTask DisposeAsync()
    {
        if (FinalState is not null)
        {
            return;
        }

        try
        {
            FinalState = ToString();
        }
        catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException)
        {
            FinalState = $"{NodeId}: state unavailable ({e.Message})";
        }

        Http.Dispose();
        await _factory.DisposeAsync();
    }
}
