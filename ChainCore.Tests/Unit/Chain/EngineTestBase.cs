using ChainCore.Core.Primitives;
using ChainCore.Node.Chain;

namespace ChainCore.Tests.Unit.Chain;

/// <summary>A fixture of unit tests over one <see cref="EngineKit"/> with the defaults, started fresh for every test.</summary>
public abstract class EngineTestBase
{
    /// <summary>The fee the fixtures' payments pay unless a test says otherwise.</summary>
    protected static readonly Amount Fee = new(10_000);

    private EngineKit? _kit;

    internal EngineKit Kit => _kit ?? throw new InvalidOperationException("The engine starts in the test's set-up.");

    protected ChainEngine Engine => Kit.Engine;

    [SetUp]
    public async Task StartEngineAsync() => _kit = await EngineKit.StartAsync();

    [TearDown]
    public async Task StopEngineAsync()
    {
        if (_kit is not null)
        {
            await _kit.DisposeAsync();
        }
    }
}
