using NUnit.Framework.Interfaces;
using NUnit.Framework.Internal;

namespace ChainCore.Tests.Harness;

/// <summary>
/// NUnit's test timeout multiplied by the run's <see cref="Timeouts.Factor"/>: on the assembly it is
/// every test's default (AssemblySetup.cs), on a fixture or a test it overrides that. A test that
/// runs out fails with NUnit's timeout message.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly | AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class ScaledTimeoutAttribute(int milliseconds) : NUnitAttribute, IApplyToTest, IApplyToContext
{
    public int Milliseconds { get; } = milliseconds;

    public int ScaledMilliseconds => Timeouts.ScaleMilliseconds(Milliseconds);

    public void ApplyToTest(Test test)
    {
        ArgumentNullException.ThrowIfNull(test);
        test.Properties.Set(PropertyNames.Timeout, ScaledMilliseconds);
    }

    public void ApplyToContext(TestExecutionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.TestCaseTimeout = ScaledMilliseconds;
    }
}
