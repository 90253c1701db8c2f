using System.Globalization;

namespace ChainCore.Tests.Harness.Chaos;

public enum ChaosKind
{
    /// <summary>Mine <see cref="ChaosStep.Count"/> blocks on node A.</summary>
    Mine,

    /// <summary>Node A's wallet pays node B's <see cref="ChaosStep.Count"/> coins, sent through node A.</summary>
    Send,

    /// <summary>Node A's wallet spends one coin twice: to itself through node A, and to node B's wallet through node B.</summary>
    DoubleSpend,

    /// <summary>Nodes whose bit is set in A form one side, the others the other side.</summary>
    Partition,

    /// <summary>Every link up and without delay.</summary>
    Heal,

    /// <summary>The link A – B waits <see cref="ChaosStep.Count"/> ms on every call.</summary>
    DelayLink,

    /// <summary>The link A – B fails every call (the sessions stay until a call fails).</summary>
    DropLink,

    /// <summary>Node A stops (its database stays).</summary>
    Stop,

    /// <summary>Node A dies without any shutdown (its process killed); its database stays as the kill left it.</summary>
    Crash,

    /// <summary>Node A starts again on its own database.</summary>
    Restart,

    /// <summary>The shared clock moves <see cref="ChaosStep.Count"/> minutes.</summary>
    Clock,

    /// <summary>The shared clock ticks the tip-check interval <see cref="ChaosStep.Count"/> times.</summary>
    Tick,

    /// <summary>A stranger connects to node A and sends it a block that breaks consensus.</summary>
    Stranger,
}

/// <summary>One step of a chaos schedule: readable in a failure message, and as C# in a pasted test.</summary>
public sealed record ChaosStep(ChaosKind Kind, int A = 0, int B = 0, int Count = 0)
{
    public override string ToString() => Kind switch
    {
        ChaosKind.Mine => $"mine {Count} block(s) on node-{A}",
        ChaosKind.Send => $"node-{A}'s wallet pays node-{B}'s {Count} coin(s) through node-{A}",
        ChaosKind.DoubleSpend => $"node-{A}'s wallet spends one coin twice: to itself through node-{A}, to node-{B}'s through node-{B}",
        ChaosKind.Partition => $"partition: [{Side(A, true)}] | [{Side(A, false)}]",
        ChaosKind.Heal => "heal every link",
        ChaosKind.DelayLink => $"delay the link node-{A} – node-{B} by {Count} ms",
        ChaosKind.DropLink => $"drop the link node-{A} – node-{B}",
        ChaosKind.Stop => $"stop node-{A}",
        ChaosKind.Crash => $"crash node-{A} (killed, no shutdown)",
        ChaosKind.Restart => $"restart node-{A}",
        ChaosKind.Clock => $"move the clock {Count} minute(s)",
        ChaosKind.Tick => $"tick the clock {Count} time(s)",
        ChaosKind.Stranger => $"a stranger sends node-{A} a block that overpays its coinbase",
        _ => Kind.ToString(),
    };

    /// <summary>The step as C#, for a test pasted from a failure.</summary>
    public string ToCode() => string.Create(CultureInfo.InvariantCulture, $"new(ChaosKind.{Kind}, {A}, {B}, {Count})");

    /// <summary>The nodes on one side of a partition mask (B holds the node count).</summary>
    private string Side(int mask, bool inside) =>
        string.Join(", ", Enumerable.Range(0, B).Where(i => ((mask >> i) & 1) == 1 == inside).Select(i => $"node-{i}"));
}
