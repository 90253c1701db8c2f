using ChainCore.Core.Api;
using ChainCore.Core.Consensus;
using ChainCore.Core.Crypto;
using ChainCore.Core.Primitives;
using ChainCore.Node.Addresses;
using ChainCore.Node.Chain;
using ChainCore.Node.Mempool;
using ChainCore.Node.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace ChainCore.Tests.Harness;

/// <summary>A running node under test: its typed client, reads for assertions (tip, mempool, balances), and its engine and store for tests of those.</summary>
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

    /// <summary>
    /// The node's engine, for tests of the engine itself (feeding it blocks, reading its block index);
    /// a scenario asserts through the reads below, as Bitcoin's functional tests use RPC.
    /// </summary>
    public ChainEngine Engine => _factory.Services.GetRequiredService<ChainEngine>();

    /// <summary>The node's store, for tests of what it persisted; a scenario asserts through the reads below.</summary>
    public IChainStore Store => _factory.Services.GetRequiredService<IChainStore>();

    /// <summary>The best chain's tip.</summary>
    public BlockIndexEntry Tip => Engine.Tip;

    public int Height => Tip.Height;

    public Hash256 TipHash => Tip.Hash;

    /// <summary>The node's mempool, read-only: count, txids, contains, which transaction spends an outpoint.</summary>
    public IMempoolView Mempool => _factory.Services.GetRequiredService<IMempoolView>();

    public ConsensusParams Params => Engine.Params;

    /// <summary>The block's entry in the node's block index (height, work, ancestors), if the node has stored the block.</summary>
    public BlockIndexEntry? FindBlock(Hash256 hash) => Engine.GetEntry(hash);

    /// <summary>Whether the node has stored the block (valid or not).</summary>
    public bool HasBlock(Hash256 hash) => FindBlock(hash) is not null;

    /// <summary>Whether the block is on the node's best chain.</summary>
    public bool IsOnBestChain(Hash256 hash) => FindBlock(hash) is { } entry && Engine.IsOnMainChain(entry);

    /// <summary>What <c>GET /addresses/{address}/balance</c> answers: confirmed (spendable), immature and pending amounts.</summary>
    public Task<AddressBalance> BalanceOfAsync(Address address, CancellationToken ct = default) => Addresses.GetBalanceAsync(address, ct);

    /// <summary>What <c>GET /addresses/{address}/utxos</c> answers: confirmed coins the mempool does not spend, then unspent mempool outputs.</summary>
    public async Task<IReadOnlyList<AddressCoin>> UtxosAsync(Address address, CancellationToken ct = default) => (await Addresses.GetCoinsAsync(address, ct)).Coins;

    private AddressService Addresses => _factory.Services.GetRequiredService<AddressService>();

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

        var tip = Engine.IsInitialized ? $"{Height} {TipHash}" : "not started";
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
