using ChainCore.Tests.Harness;

// Every test's NUnit timeout: five minutes times the run's timeout factor.
[assembly: ScaledTimeout(300_000)]

namespace ChainCore.Tests;

/// <summary>Runs once around the whole suite: drops this run's databases and stops the throwaway PostgreSQL cluster if one was started.</summary>
[SetUpFixture]
public sealed class AssemblySetup
{
    [OneTimeTearDown]
    public Task StopServicesAsync() => TestEnvironment.ShutdownAsync();
}
