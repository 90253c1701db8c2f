using ChainCore.Tests.Harness;

namespace ChainCore.Tests;

/// <summary>Runs once around the whole suite: stops the throwaway PostgreSQL cluster if one was started.</summary>
[SetUpFixture]
public sealed class AssemblySetup
{
    [OneTimeTearDown]
    public Task StopServicesAsync() => TestEnvironment.ShutdownAsync();
}
