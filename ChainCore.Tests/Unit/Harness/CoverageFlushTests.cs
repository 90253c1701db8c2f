using ChainCore.Tests.Harness;

namespace ChainCore.Tests.Unit.Harness;

[TestFixture, Category("Unit")]
public sealed class CoverageFlushTests
{
    [Test]
    public void Every_instrumented_product_assembly_has_a_tracker_the_end_of_the_run_can_flush()
    {
        // Loaded, so that their trackers (if instrumented) are in this process.
        Type[] products = [typeof(global::ChainCore.Core.Primitives.Amount), typeof(global::ChainCore.Node.NodeOptions), typeof(global::ChainCore.Miner.MinerOptions), typeof(global::ChainCore.Wallet.ExitCodes)];
        products.ShouldAllBe(t => t.Assembly.GetName().Name!.StartsWith("ChainCore.", StringComparison.Ordinal));

        var flushed = CoverageFlush.CountTrackers();

        if (Environment.GetEnvironmentVariable(MeasurementConditions.CoverageVariable) == "1")
        {
            flushed.ShouldBeGreaterThanOrEqualTo(products.Length, "scripts/test.sh's coverage pass instruments the four product assemblies");
        }
        else
        {
            flushed.ShouldBe(0, "without instrumentation there is nothing to write");
        }
    }
}
