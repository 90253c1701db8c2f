using System.Reflection;
using System.Runtime.CompilerServices;
using ChainCore.Core.Consensus;

namespace ChainCore.Tests.Unit.Core;

/// <summary>
/// Consensus, crypto and serialization code refuses a null where its signature says none may come,
/// with an <see cref="ArgumentNullException"/> naming the parameter, before it does anything: a
/// caller's bug reads as one, never as a <see cref="NullReferenceException"/> from deep inside a rule.
/// Every public constructor and static method of those namespaces but records' is called with null for
/// its first non-nullable reference parameter (the others null or default).
/// </summary>
[TestFixture, Category("Unit")]
public sealed class NullGuardTests
{
    private static readonly string[] Namespaces = ["ChainCore.Core.Consensus", "ChainCore.Core.Crypto", "ChainCore.Core.Serialization"];

    [Test]
    public async Task Every_public_entry_point_refuses_a_null_it_does_not_accept_by_name()
    {
        var nullability = new NullabilityInfoContext();
        var checkedCount = 0;
        var wrong = new List<string>();
        foreach (var method in EntryPoints())
        {
            var parameters = method.GetParameters();
            if (parameters.Any(p => p.ParameterType.IsByRefLike || p.ParameterType.IsPointer || (p.ParameterType.IsByRef && !p.IsOut)))
            {
                continue; // spans cannot go through reflection
            }

            var first = parameters.FirstOrDefault(p => !p.IsOut && !p.ParameterType.IsValueType && nullability.Create(p).WriteState == NullabilityState.NotNull);
            if (first is null)
            {
                continue;
            }

            checkedCount++;
            var arguments = parameters.Select(p => p.ParameterType is { IsValueType: true } valueType ? Activator.CreateInstance(valueType) : null).ToArray();
            var name = $"{method.DeclaringType!.Name}.{(method is ConstructorInfo ? "new" : method.Name)}({string.Join(", ", parameters.Select(p => p.ParameterType.Name))})";
            try
            {
                var result = method is ConstructorInfo constructor ? constructor.Invoke(arguments) : method.Invoke(null, arguments);
                if (result is Task task)
                {
                    await task;
                }

                wrong.Add($"{name} accepted null for '{first.Name}'");
            }
            catch (Exception e)
            {
                var thrown = e is TargetInvocationException { InnerException: { } inner } ? inner : e;
                if (thrown is not ArgumentNullException nullArgument || nullArgument.ParamName != first.Name)
                {
                    wrong.Add($"{name} threw {thrown.GetType().Name} ({(thrown as ArgumentException)?.ParamName ?? thrown.Message}) for a null '{first.Name}'");
                }
            }
        }

        checkedCount.ShouldBeGreaterThan(20, "the entry points were found");
        wrong.ShouldBeEmpty($"{wrong.Count} entry points do not guard their arguments:{Environment.NewLine}{string.Join(Environment.NewLine, wrong)}");
    }

    /// <summary>Records are data their builders fill (a coin, a verdict); they check nothing and are left out.</summary>
    private static bool IsRecord(Type type) => type.GetMethod("PrintMembers", BindingFlags.NonPublic | BindingFlags.Instance) is not null;

    private static IEnumerable<MethodBase> EntryPoints() =>
        typeof(ConsensusParams).Assembly.GetExportedTypes()
            .Where(t => Namespaces.Contains(t.Namespace) && !t.IsInterface && !t.IsSubclassOf(typeof(Delegate)) && !t.ContainsGenericParameters && !IsRecord(t))
            .SelectMany(t => t.IsAbstract && !t.IsSealed
                ? []
                : t.GetConstructors().Cast<MethodBase>()
                    .Concat(t.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly)
                        .Where(m => !m.IsSpecialName && !m.ContainsGenericParameters && m.GetCustomAttribute<CompilerGeneratedAttribute>() is null)))
            // A record's copy constructor is the compiler's.
            .Where(m => !(m is ConstructorInfo c && c.GetParameters() is [var only] && only.ParameterType == c.DeclaringType));
}
