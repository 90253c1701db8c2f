using System.Reflection;

namespace ChainCore.Tests.Harness;

/// <summary>
/// Writes coverlet.msbuild's hit counts at the end of the run instead of only at the test host's
/// exit: the test platform kills a host that takes more than a moment to exit, and on a loaded
/// machine that moment can pass before the exit handlers have written every instrumented assembly's
/// hits, which then reads as 0 % coverage. The tracker coverlet injects into each instrumented
/// assembly adds what it holds to its file on every call, so the exit's own write after this one
/// only adds what ran since.
/// </summary>
public static class CoverageFlush
{
    private const string TrackerNamespace = "Coverlet.Core.Instrumentation.Tracker";

    /// <summary>How many instrumented assemblies this process has loaded (0 without instrumentation).</summary>
    public static int CountTrackers() =>
        AppDomain.CurrentDomain.GetAssemblies().Where(a => !a.IsDynamic).Sum(a => Trackers(a).Count());

    /// <summary>
    /// Flushes every instrumented assembly loaded in this process; returns how many. Once only, at the
    /// very end: hits recorded after a flush reach the file only by the exit's own write, which the
    /// test platform may cut short.
    /// </summary>
    public static int FlushAll()
    {
        var flushed = 0;
        foreach (var assembly in AppDomain.CurrentDomain.GetAssemblies().Where(a => !a.IsDynamic))
        {
            foreach (var tracker in Trackers(assembly))
            {
                tracker.Invoke(null, [null, EventArgs.Empty]);
                flushed++;
            }
        }

        return flushed;
    }

    private static IEnumerable<MethodInfo> Trackers(Assembly assembly)
    {
        Type[] types;
        try
        {
            types = assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException e)
        {
            types = [.. e.Types.OfType<Type>()];
        }

        return types
            .Where(t => t.Namespace == TrackerNamespace)
            .Select(t => t.GetMethod("UnloadModule", BindingFlags.Public | BindingFlags.Static, [typeof(object), typeof(EventArgs)]))
            .OfType<MethodInfo>();
    }
}
