namespace ChainCore.Node.Storage;

/// <summary>
/// What the network keeps across restarts: the addresses this node has connected to (the
/// <c>nodes</c> table: addresses proven by a handshake, never names) and its bans (<c>peer_bans</c>).
/// </summary>
public interface IPeerStore
{
    /// <summary>Adds the address, or replaces what is known of it.</summary>
    Task UpsertAddressAsync(AddressRecord address, CancellationToken ct = default);

    Task RemoveAddressAsync(string address, CancellationToken ct = default);

    /// <summary>Every stored address, in order.</summary>
    Task<IReadOnlyList<AddressRecord>> GetAddressesAsync(CancellationToken ct = default);

    /// <summary>Adds the ban, or replaces the one on the same target.</summary>
    Task UpsertBanAsync(BanRecord ban, CancellationToken ct = default);

    Task RemoveBanAsync(string target, CancellationToken ct = default);

    /// <summary>Every stored ban, in order of target.</summary>
    Task<IReadOnlyList<BanRecord>> GetBansAsync(CancellationToken ct = default);
}

/// <summary>An address this node connected to on <paramref name="Network"/>, last with success at <paramref name="LastSuccess"/>.</summary>
public sealed record AddressRecord(string Address, string Network, DateTimeOffset LastSuccess);

/// <summary>A remote IP address or a peer's address, refused until <paramref name="Until"/>.</summary>
public sealed record BanRecord(string Target, DateTimeOffset Until, string Reason);
