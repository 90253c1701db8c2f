using ChainCore.Node.Storage;

namespace ChainCore.Tests.Harness;

/// <summary>Makes a store fail inside its connect transaction, to check that nothing of it remains.</summary>
public static class Failpoints
{
    public sealed class InjectedFailureException(string step) : Exception($"Injected failure at {step}.");

    /// <summary>The next connect fails after the block's outputs were written and before its spends; disposing removes the failpoint.</summary>
    public static IDisposable FailNextConnect(IChainStore store, string step = "connect:spends") => Fail(store, step);

    public static IDisposable FailNextDisconnect(IChainStore store, string step = "disconnect:spends") => Fail(store, step);

    private static Reset Fail(IChainStore store, string step)
    {
        var sql = store as SqlChainStore ?? throw new ArgumentException($"{store.GetType().Name} has no failpoints.", nameof(store));
        sql.Failpoint = reached => reached == step ? throw new InjectedFailureException(step) : Task.CompletedTask;
        return new Reset(sql);
    }

    private sealed class Reset(SqlChainStore store) : IDisposable
    {
        public void Dispose() => store.Failpoint = null;
    }
}
