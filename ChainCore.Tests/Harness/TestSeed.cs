using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using NUnit.Framework.Interfaces;
using NUnit.Framework.Internal;

namespace ChainCore.Tests.Harness;

/// <summary>
/// The run's one seed, as Bitcoin Core's <c>--randomseed</c>: every generator of the suite draws
/// from it, so a failure replays from the seed its message shows. Read from <c>CHAINCORE_SEED</c>,
/// else from the runsettings parameter <c>Seed</c>, else drawn at random (and printed). Each test
/// gets its own seed derived from the run's and its full name, so a test draws the same numbers
/// whether it runs alone or among others, in any order.
/// </summary>
public static class TestSeed
{
    public const string EnvironmentVariable = "CHAINCORE_SEED";
    public const string ParameterName = "Seed";

    private static readonly Lazy<(int Seed, string Source)> RunSeed = new(() => Resolve(
        Environment.GetEnvironmentVariable(EnvironmentVariable), TestContext.Parameters.Get(ParameterName), RandomNumberGenerator.GetInt32(int.MaxValue)));

    private static readonly ConcurrentDictionary<string, Random> TestRandoms = new();

    /// <summary>The run's seed.</summary>
    public static int Run => RunSeed.Value.Seed;

    /// <summary>Where the run's seed came from: the environment variable, the runsettings, or drawn at random.</summary>
    public static string Source => RunSeed.Value.Source;

    /// <summary>The current test's seed (the run's seed outside a test).</summary>
    public static int Current => TestContext.CurrentContext.Test.FullName is { Length: > 0 } name ? For(Run, name) : Run;

    /// <summary>A generator seeded with the current test's seed, and <paramref name="stream"/> to keep apart the draws of different uses in one test.</summary>
    public static Random NewRandom(int stream = 0) => new(stream == 0 ? Current : For(Current, stream.ToString(CultureInfo.InvariantCulture)));

    /// <summary>
    /// The current test's shared generator, for helpers that draw without being handed one (wallet
    /// keys): its sequence is the same in every run with the same seed, as long as the test draws in
    /// the same order.
    /// </summary>
    public static T Draw<T>(Func<Random, T> draw)
    {
        ArgumentNullException.ThrowIfNull(draw);
        var key = TestContext.CurrentContext.Test.ID ?? string.Empty;
        var random = TestRandoms.GetOrAdd(key, _ => NewRandom(stream: 1));
        lock (random)
        {
            return draw(random);
        }
    }

    /// <summary>The seed of the test named <paramref name="testFullName"/> in a run of seed <paramref name="runSeed"/>: a hash of both, so it is the same on every machine.</summary>
    public static int For(int runSeed, string testFullName)
    {
        ArgumentNullException.ThrowIfNull(testFullName);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(runSeed.ToString(CultureInfo.InvariantCulture) + ":" + testFullName));
        return BitConverter.ToInt32(hash, 0) & int.MaxValue;
    }

    /// <summary>The environment variable wins over the runsettings parameter, which wins over <paramref name="drawn"/>; a value that is not a whole number counts as absent.</summary>
    public static (int Seed, string Source) Resolve(string? environmentValue, string? parameterValue, int drawn) =>
        Parse(environmentValue) is { } fromEnvironment ? (fromEnvironment, EnvironmentVariable)
        : Parse(parameterValue) is { } fromSettings ? (fromSettings, $"runsettings {ParameterName}")
        : (drawn, "drawn at random");

    /// <summary>The one command that reruns the test named <paramref name="testFullName"/> with the run's seed <paramref name="runSeed"/>.</summary>
    public static string RerunCommand(int runSeed, string testFullName)
    {
        ArgumentNullException.ThrowIfNull(testFullName);
        // The test filter's own operators and grouping are escaped, then the whole goes in single quotes for the shell.
        var filter = new StringBuilder();
        foreach (var c in testFullName)
        {
            if (c is '\\' or '(' or ')' or '&' or '|' or '=' or '!' or '~')
            {
                filter.Append('\\');
            }

            filter.Append(c);
        }

        var quoted = "'" + ("FullyQualifiedName=" + filter).Replace("'", "'\\''", StringComparison.Ordinal) + "'";
        return string.Create(CultureInfo.InvariantCulture,
            $"{EnvironmentVariable}={runSeed} dotnet test ChainCore.Tests -c Release --settings testsettings.runsettings --filter {quoted}");
    }

    /// <summary>What a failure message ends with: the seeds and the command that reruns the test.</summary>
    public static string FailureNote(int runSeed, string testFullName) =>
        string.Create(CultureInfo.InvariantCulture, $"Seed: run {runSeed}, test {For(runSeed, testFullName)}. Rerun: {RerunCommand(runSeed, testFullName)}");

    internal static void Forget(string testId) => TestRandoms.TryRemove(testId, out _);

    private static int? Parse(string? text) =>
        int.TryParse(text?.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seed) && seed >= 0 ? seed : null;
}

/// <summary>
/// Applied to the whole assembly: when a test fails, its failure message ends with the run's seed,
/// the test's seed and the one command that reruns it with them.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = false)]
public sealed class SeedOnFailureAttribute : Attribute, ITestAction
{
    public ActionTargets Targets => ActionTargets.Test;

    public void BeforeTest(ITest test)
    {
    }

    public void AfterTest(ITest test)
    {
        ArgumentNullException.ThrowIfNull(test);
        TestSeed.Forget(test.Id);
        var result = TestExecutionContext.CurrentContext.CurrentResult;
        if (result.ResultState.Status != TestStatus.Failed)
        {
            return;
        }

        var note = TestSeed.FailureNote(TestSeed.Run, test.FullName);
        result.SetResult(result.ResultState, string.IsNullOrEmpty(result.Message) ? note : result.Message + Environment.NewLine + note, result.StackTrace);
    }
}
