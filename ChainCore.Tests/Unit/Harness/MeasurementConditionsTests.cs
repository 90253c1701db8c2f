using System.Reflection;
using System.Reflection.Emit;
using ChainCore.Tests.Harness;

namespace ChainCore.Tests.Unit.Harness;

[TestFixture, Category("Unit")]
public sealed class MeasurementConditionsTests
{
    [Test]
    public void An_assembly_carrying_coverlets_hit_tracker_is_instrumented()
    {
        var assembly = AssemblyBuilder.DefineDynamicAssembly(new AssemblyName("ChainCore.Core.Instrumented"), AssemblyBuilderAccess.Run);
        assembly.DefineDynamicModule("ChainCore.Core.Instrumented")
            .DefineType($"{MeasurementConditions.CoverletTrackerNamespace}.ChainCore.Core_{Guid.NewGuid():N}", TypeAttributes.Public | TypeAttributes.Abstract | TypeAttributes.Sealed)
            .CreateType();

        MeasurementConditions.IsInstrumented(assembly).ShouldBeTrue();
        MeasurementConditions.IsInstrumented(typeof(Uri).Assembly).ShouldBeFalse();
    }

    [Test]
    public void Coverage_instrumentation_is_detected_exactly_when_the_script_collects_coverage()
    {
        // scripts/test.sh says in each pass whether it collects coverage: the detection must agree
        // with it in a real run, not only with a hand-made assembly.
        var declared = Environment.GetEnvironmentVariable(MeasurementConditions.CoverageVariable);
        if (declared is null)
        {
            Assert.Ignore($"{MeasurementConditions.CoverageVariable} is set by scripts/test.sh; this run did not say whether it collects coverage");
        }

        MeasurementConditions.Current().Instrumented.ShouldBe(declared == "1", $"{MeasurementConditions.CoverageVariable}={declared}");
    }

    [Test]
    public void The_build_configuration_is_read_from_the_product_assemblies()
    {
        var expected = MeasurementConditions.ProductAssemblies.Any(MeasurementConditions.IsDebugBuild) ? "Debug" : "Release";
#if DEBUG
        expected.ShouldBe("Debug");
#else
        expected.ShouldBe("Release");
#endif
        MeasurementConditions.Current().Configuration.ShouldBe(expected);
    }

    [TestCase("Release", false, null)]
    [TestCase("Release", true, "coverage instrumentation")]
    [TestCase("Debug", false, "Debug build")]
    [TestCase("Debug", true, "Debug build and carries coverage instrumentation")]
    public void Only_a_release_build_without_instrumentation_is_representative(string configuration, bool instrumented, string? objection)
    {
        var conditions = Conditions(configuration, instrumented);

        conditions.Representative.ShouldBe(objection is null);
        if (objection is null)
        {
            conditions.Objection.ShouldBeNull();
        }
        else
        {
            conditions.Objection.ShouldNotBeNull().ShouldContain(objection);
        }
    }

    [Test]
    public void A_figure_measured_under_instrumentation_is_refused_with_the_reason_and_not_written()
    {
        var name = $"refused-{Guid.NewGuid():N}";

        var refusal = Assert.Throws<AssertionException>(() =>
            PerformanceReport.Record(name, new Dictionary<string, double> { ["hash_rate"] = 770_000 }, Conditions("Release", instrumented: true)));

        refusal.Message.ShouldContain($"{name} not recorded: coverage instrumentation");
        refusal.Message.ShouldContain("hash_rate=770000");
        File.Exists(Path.Combine(PerformanceReport.Directory, $"{name}.json")).ShouldBeFalse();
    }

    [Test]
    public void The_conditions_describe_the_machine()
    {
        var conditions = MeasurementConditions.Current();

        conditions.Machine.ShouldNotBeNullOrWhiteSpace();
        conditions.Cores.ShouldBe(Environment.ProcessorCount);
        conditions.ToString().ShouldContain($"{conditions.Cores} cores");
    }

    private static MeasurementConditions Conditions(string configuration, bool instrumented) =>
        new(configuration, instrumented, "test machine", 2, "Linux", ".NET 10", "0.1 0.2 0.3");
}
