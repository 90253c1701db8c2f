namespace ChainCore.Tests.Harness.Timeline;

/// <summary>What <see cref="TimelineScenario.WriteAsync"/> left: the page, and the names of the lanes it must show.</summary>
public sealed record TimelineScenarioResult(string Path, IReadOnlyList<string> Nodes, IReadOnlyList<string> Miners, string HostilePeerName);

/// <summary>
/// A small network story with everything a failure timeline draws — steps, blocks mined and received,
/// a partition and its heal, a node stopped and restarted, a miner, a stranger whose name is markup —
/// written out as a failed test's page would be, without failing anything: for the tests of the page,
/// a browser's included (node names are <see cref="TestNetwork.NameOf"/>).
/// </summary>
public static class TimelineScenario
{
    public const int NodeCount = 3;

    /// <summary>The name the stranger of the story gives: markup the page must show as text.</summary>
    public const string HostilePeerName = "<script>window.pwned=1</script>";

    /// <summary>Runs the story on a fresh network and writes its timeline into <paramref name="directory"/>.</summary>
    public static async Task<TimelineScenarioResult> WriteAsync(string directory, StoreKind store = StoreKind.Sqlite)
    {
        await using var net = await TestNetwork.StartAsync(NodeCount, Topology.Full, new TestNetworkOptions { Store = store });
        net.Step("Mine two blocks on node-0; every node follows");
        await net.MineAsync(0, 2);

        net.Step("Cut node-2 off; each side mines");
        net.Partition([0, 1], [2]);
        await net.MineAsync(0, 1, sync: false);
        await net.WaitForSyncAsync([0, 1]);
        await net.MineAsync(2, 2, sync: false);

        net.Step("Restart node-1");
        await net.StopNodeAsync(1);
        await net.RestartNodeAsync(1);

        net.Step("Heal; node-2's heavier branch wins");
        await net.HealAsync();
        await net.WaitUntilTickingAsync(() => Enumerable.Range(0, NodeCount).All(i => net.IsRunning(i) && net[i].TipHash == net[2].TipHash), "every node on node-2's tip");

        net.Step("A stranger with a name made of markup knocks");
        var stranger = TestPeer.Create(net, HostilePeerName, "http://stranger.test");
        await using (stranger)
        {
            using var answer = await stranger.HandshakeAsync(0);
        }

        net.Step("A miner on node-0 finds a block");
        var miner = net.AttachMiner(0);
        await net.WaitUntilAsync(() => miner.Accepted.Count > 0, $"{miner.Name} to find a block");
        await miner.StopAsync();
        await net.WaitForSameTipAsync();

        net.Note("The test fails here (on purpose: the story is over)");
        var path = await TimelineEvidence.WriteAsync(net.Timeline, directory, "TimelineScenario: a failed three-node story");
        return new TimelineScenarioResult(path, [.. Enumerable.Range(0, NodeCount).Select(TestNetwork.NameOf)], [miner.Name], HostilePeerName);
    }
}
