using System.Collections.Concurrent;
using ChainCore.Core.Mining;
using ChainCore.Core.Primitives;
using Microsoft.Extensions.Logging;

namespace ChainCore.Tests.Harness;

/// <summary>
/// The miner's engine (<see cref="MiningClient"/>) attached in process to one node of a
/// <see cref="TestNetwork"/>: it asks that node for templates, long-polls it and submits to it, as
/// the miner app does; its events go into the network's merged log as <c>miner-N</c>.
/// </summary>
public sealed class TestMiner : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<Hash256> _accepted = new();
    private readonly Task<MiningRunResult> _run;

    internal TestMiner(TestNetwork network, int node, TestWallet payout, int workers)
    {
        Node = node;
        Name = $"miner-{node}";
        Payout = payout;
        Client = new MiningClient(network[node].Client, payout.Address, workers);
        Client.Changed += change =>
        {
            if (change is BlockAccepted accepted)
            {
                _accepted.Enqueue(accepted.Hash);
            }

            network.Log.Write(Name, change is NodeUnreachable or BlockRefused ? LogLevel.Warning : LogLevel.Information, "MiningClient", change.ToString());
        };
        _run = Task.Run(() => Client.MineAsync(_stop.Token));
    }

    public int Node { get; }

    public string Name { get; }

    public TestWallet Payout { get; }

    public MiningClient Client { get; }

    /// <summary>Blocks this miner found that its node accepted, in order.</summary>
    public IReadOnlyList<Hash256> Accepted => [.. _accepted];

    /// <summary>Stops mining and returns what the run did.</summary>
    public async Task<MiningRunResult> StopAsync()
    {
        await _stop.CancelAsync();
        return await _run;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            _stop.Dispose();
        }
    }
}
