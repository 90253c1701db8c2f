namespace ChainCore.Tests.Harness;

/// <summary>
/// Base for multi-node tests: networks started through <see cref="StartNetworkAsync"/> are stopped
/// after each test, pass or fail; when a test fails, its merged log (every node and the test's own
/// steps, one timestamped stream), the nodes' last state and their data are kept under
/// <c>tests/reports/failures/</c> and attached to the test (<see cref="FailureEvidence"/>).
/// </summary>
public abstract class NetworkTestBase
{
    private readonly List<TestNetwork> _networks = [];

    protected async Task<TestNetwork> StartNetworkAsync(int nodes, Topology? topology = null, TestNetworkOptions? options = null)
    {
        var network = await TestNetwork.StartAsync(nodes, topology, options);
        _networks.Add(network);
        return network;
    }

    [TearDown]
    public async Task StopNetworksAsync()
    {
        var failed = FailureEvidence.CurrentTestFailed;
        try
        {
            foreach (var network in _networks)
            {
                if (failed)
                {
                    network.Note("Last state:" + Environment.NewLine + network.Describe());
                }

                await network.DisposeAsync();
            }

            if (failed)
            {
                foreach (var network in _networks)
                {
                    await FailureEvidence.KeepAsync(network.Log, network.Nodes);
                }
            }
        }
        finally
        {
            _networks.Clear();
        }
    }
}
