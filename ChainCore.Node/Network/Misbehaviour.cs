using ChainCore.Core.Consensus;

namespace ChainCore.Node.Network;

/// <summary>
/// A peer's misbehaviour score comes from the category of what it sent, never from lists of codes:
/// data that breaks consensus (<see cref="ValidationCategory.Invalid"/>) bans at once; a duplicate,
/// an orphan, a policy refusal or a stale block is what honest peers send every day and costs nothing.
/// </summary>
public static class Misbehaviour
{
    public const int BanThreshold = 100;

    public static int ScoreFor(ValidationCategory category) => category == ValidationCategory.Invalid ? BanThreshold : 0;
}
