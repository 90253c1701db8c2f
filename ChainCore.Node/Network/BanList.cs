using System.Collections.Concurrent;
using ChainCore.Node.Storage;

namespace ChainCore.Node.Network;

/// <summary>
/// Remote IP addresses and peer addresses this node refuses for a while (Bitcoin Core's BanMan):
/// kept in the store so a restart does not forgive them, and ended on this node's clock.
/// </summary>
public sealed class BanList(IPeerStore store, TimeProvider clock, ILogger<BanList> log)
{
    private readonly ConcurrentDictionary<string, BanRecord> _bans = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<Task, bool> _storing = new();

    /// <summary>Reads the stored bans that have not ended yet.</summary>
    public async Task LoadAsync(CancellationToken ct)
    {
        try
        {
            foreach (var ban in await store.GetBansAsync(ct))
            {
                if (ban.Until > clock.GetUtcNow())
                {
                    _bans[ban.Target] = ban;
                }
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogWarning("Could not read the stored bans: {Reason}", e.Message);
        }
    }

    public bool IsBanned(string? target)
    {
        if (target is null || !_bans.TryGetValue(target, out var ban))
        {
            return false;
        }

        if (ban.Until > clock.GetUtcNow())
        {
            return true;
        }

        if (_bans.TryRemove(new KeyValuePair<string, BanRecord>(target, ban)))
        {
            _ = ForgetAsync(target);
        }

        return false;
    }

    public bool IsAnyBanned(IEnumerable<string?> targets) => targets.Any(IsBanned);

    /// <summary>Refuses <paramref name="target"/> for <paramref name="duration"/>; stored before this returns.</summary>
    public async Task BanAsync(string target, TimeSpan duration, string reason)
    {
        var ban = new BanRecord(target, clock.GetUtcNow() + duration, reason);
        _bans[target] = ban;
        var write = StoreAsync(ban);
        _storing[write] = true;
        try
        {
            await write;
        }
        finally
        {
            _storing.TryRemove(write, out _);
        }
    }

    /// <summary>Completes when every ban given so far is in the store (the node waits for it as it stops).</summary>
    public Task WhenStoredAsync() => Task.WhenAll(_storing.Keys);

    private async Task StoreAsync(BanRecord ban)
    {
        try
        {
            await store.UpsertBanAsync(ban, CancellationToken.None);
        }
        catch (Exception e)
        {
            log.LogWarning("Could not store the ban of {Target}: {Reason}", ban.Target, e.Message);
        }
    }

    /// <summary>The bans in force, soonest ending first.</summary>
    public IReadOnlyList<BanRecord> List()
    {
        var now = clock.GetUtcNow();
        return [.. _bans.Values.Where(b => b.Until > now).OrderBy(b => b.Until).ThenBy(b => b.Target, StringComparer.Ordinal)];
    }

    private async Task ForgetAsync(string target)
    {
        try
        {
            await store.RemoveBanAsync(target, CancellationToken.None);
        }
        catch (Exception e)
        {
            log.LogDebug("Could not remove the ended ban of {Target}: {Reason}", target, e.Message);
        }
    }
}
