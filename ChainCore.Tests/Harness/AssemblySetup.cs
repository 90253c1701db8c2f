using ChainCore.Tests.Harness;

// Every test's NUnit timeout: five minutes times the run's timeout factor.
[assembly: ScaledTimeout(300_000)]

// Every failure message ends with the run's seed and the command that reruns the test with it.
[assembly: SeedOnFailure]

// A failed browser test has its screenshots attached; a passing one attaches nothing.
[assembly: ChainCore.Tests.Harness.Browser.ScreenshotsOnFailure]

namespace ChainCore.Tests;

/// <summary>Runs once around the whole suite: prints the run's seed; at the end drops this run's databases, stops the throwaway PostgreSQL cluster if one was started, and writes the coverage hits.</summary>
[SetUpFixture]
public sealed class AssemblySetup
{
    [OneTimeSetUp]
    public void PrintSeed() =>
        TestContext.Progress.WriteLine($"Seed {TestSeed.Run} ({TestSeed.Source}); {TestSeed.EnvironmentVariable}={TestSeed.Run} repeats this run's draws.");

    [OneTimeTearDown]
    public async Task StopServicesAsync()
    {
        await TestEnvironment.ShutdownAsync();
        CoverageFlush.FlushAll();
    }
}
