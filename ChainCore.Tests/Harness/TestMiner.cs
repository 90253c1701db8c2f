using System.Collections.Concurrent;
using ChainCore.Core.Api;
using ChainCore.Core.Mining;
using ChainCore.Core.Primitives;
using ChainCore.Miner;
using Microsoft.Extensions.Logging;

namespace ChainCore.Tests.Harness;

/// <summary>
/// The miner app hosted in process (<see cref="MinerFactory"/>) and attached to one node of a
/// <see cref="TestNetwork"/>: it asks that node for templates, long-polls it and submits to it. Its
/// mining events (templates, blocks accepted or refused, node unreachable) go into the network's
/// merged log as <c>miner-N</c>.
/// </summary>
public sealed class TestMiner : IAsyncDisposable
{
    private readonly TestNetwork _network;
    private readonly MinerFactory _factory;
    private readonly ConcurrentQueue<Hash256> _accepted = new();
    private bool _disposed;

    internal TestMiner(TestNetwork network, int node, TestWallet payout, int workers)
    {
        _network = network;
        Node = node;
        Name = $"miner-{node}";
        Payout = payout;
        _factory = new MinerFactory(network[node], new MinerSettings(payout.Address.ToString()) { Workers = workers, AutoStart = false });
        try
        {
            Service.Client.Changed += change =>
            {
                if (change is BlockAccepted accepted)
                {
                    _accepted.Enqueue(accepted.Hash);
                }

                network.Timeline.Miner(Name, TestNetwork.NameOf(node), change);
                network.Log.Write(Name, change is NodeUnreachable or BlockRefused ? LogLevel.Warning : LogLevel.Information, "MiningClient", change.ToString());
            };
            Service.Start();
        }
        catch
        {
            _factory.Dispose();
            throw;
        }
    }

    public int Node { get; }

    public string Name { get; }

    public TestWallet Payout { get; }

    public MiningService Service => _factory.Service;

    /// <summary>Blocks this miner found that its node accepted, in order.</summary>
    public IReadOnlyList<Hash256> Accepted => [.. _accepted];

    /// <summary>The miner's own <c>GET /status</c>.</summary>
    public Task<MinerStatusResponse> StatusAsync() => _factory.StatusAsync();

    /// <summary>Switches mining off (<c>POST /stop</c>) and waits until the run has ended, its last submission included.</summary>
    public async Task<MinerStatusResponse> StopAsync()
    {
        await _factory.PostAsync("stop");
        await _network.WaitUntilAsync(() => Service.Client.CurrentTemplate is null, $"{Name} to finish its run");
        return await _factory.StatusAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Service.Stop();
        await _factory.DisposeAsync();
    }
}
