using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json.Serialization;

namespace ChainCore.Tests.Harness;

/// <summary>
/// The conditions a performance figure was measured under: the product's build configuration,
/// whether coverage instrumentation was in the product's code, and the machine. A figure measured
/// in a Debug build or under instrumentation judges the instrumentation, not the code (the mining
/// figure came out 15 times lower under coverlet), so <see cref="PerformanceReport"/> refuses to
/// record one.
/// </summary>
public sealed record MeasurementConditions(string Configuration, bool Instrumented, string Machine, int Cores, string OperatingSystem, string Runtime, string Load)
{
    /// <summary>
    /// The namespace coverlet gives the hit-tracking type it adds to every module it instruments
    /// (coverlet.msbuild and coverlet.collector alike): present in a loaded product assembly, that
    /// assembly's code counts hits.
    /// </summary>
    public const string CoverletTrackerNamespace = "Coverlet.Core.Instrumentation.Tracker";

    /// <summary>Set by scripts/test.sh for each pass: 1 in the pass that collects coverage, 0 in the one that does not.</summary>
    public const string CoverageVariable = "CHAINCORE_COVERAGE";

    /// <summary>The assemblies whose speed the figures judge.</summary>
    public static IReadOnlyList<Assembly> ProductAssemblies { get; } =
    [
        typeof(ChainCore.Core.Primitives.Block).Assembly,
        typeof(ChainCore.Node.Program).Assembly,
        typeof(ChainCore.Miner.Program).Assembly,
    ];

    [JsonIgnore]
    public bool Representative => Configuration == "Release" && !Instrumented;

    /// <summary>Why a figure measured now would not judge the code, or null when it would.</summary>
    [JsonIgnore]
    public string? Objection => (Configuration == "Release", Instrumented) switch
    {
        (true, false) => null,
        (false, false) => "the product is a Debug build (unoptimized JIT code); run scripts/test.sh, which builds Release",
        (true, true) => "coverage instrumentation is in the product's code; scripts/test.sh runs the Performance tests in a pass of their own without it",
        (false, true) => "the product is a Debug build and carries coverage instrumentation; run scripts/test.sh",
    };

    public static MeasurementConditions Current() => new(
        ProductAssemblies.Any(IsDebugBuild) ? "Debug" : "Release",
        ProductAssemblies.Any(IsInstrumented),
        MachineDescription(),
        Environment.ProcessorCount,
        RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription,
        LoadAverage());

    /// <summary>True when coverlet has added its hit tracker to <paramref name="assembly"/>.</summary>
    public static bool IsInstrumented(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        Type?[] types;
        try
        {
            types = assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException e)
        {
            types = e.Types;
        }

        return types.Any(t => t?.Namespace?.StartsWith(CoverletTrackerNamespace, StringComparison.Ordinal) == true);
    }

    /// <summary>True when <paramref name="assembly"/> was compiled with the JIT optimizer disabled, as a Debug build is.</summary>
    public static bool IsDebugBuild(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        return assembly.GetCustomAttribute<DebuggableAttribute>()?.IsJITOptimizerDisabled == true;
    }

    public override string ToString() =>
        $"{Configuration}, {(Instrumented ? "instrumented" : "not instrumented")}; {Machine}, {Cores} cores; {OperatingSystem}; {Runtime}; load {Load}";

    /// <summary>The processor's model name where the system says it (Linux), else its architecture.</summary>
    private static string MachineDescription()
    {
        const string cpuinfo = "/proc/cpuinfo";
        var model = File.Exists(cpuinfo)
            ? File.ReadLines(cpuinfo).FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        return model ?? $"{RuntimeInformation.ProcessArchitecture} processor";
    }

    /// <summary>The 1, 5 and 15-minute load averages where the system says them: a shared machine's figures depend on them.</summary>
    private static string LoadAverage()
    {
        const string loadavg = "/proc/loadavg";
        return File.Exists(loadavg) ? string.Join(' ', File.ReadAllText(loadavg).Split(' ').Take(3)) : "unknown";
    }
}
