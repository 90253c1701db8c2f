namespace ChainCore.Node.Storage;

/// <summary>The <c>nodes</c> and <c>peer_bans</c> tables of a <see cref="SqlChainStore"/>'s database.</summary>
internal sealed class SqlPeerStore(SqlChainStore database) : IPeerStore
{
    public async Task UpsertAddressAsync(AddressRecord address, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        using var _ = await database.EnterWriteAsync(ct);
        await using var connection = await database.OpenAsync(ct);
        await database.ExecuteAsync(connection, null,
            "insert into nodes (address, network, last_success) values (@address, @network, @success) "
            + "on conflict (address) do update set network = excluded.network, last_success = excluded.last_success",
            ct, ("address", address.Address), ("network", address.Network), ("success", address.LastSuccess.ToUnixTimeSeconds()));
    }

    public async Task RemoveAddressAsync(string address, CancellationToken ct = default)
    {
        using var _ = await database.EnterWriteAsync(ct);
        await using var connection = await database.OpenAsync(ct);
        await database.ExecuteAsync(connection, null, "delete from nodes where address = @address", ct, ("address", address));
    }

    public async Task<IReadOnlyList<AddressRecord>> GetAddressesAsync(CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = database.Command(connection, null, "select address, network, last_success from nodes order by address");
        await using var reader = await command.ExecuteReaderAsync(ct);
        var addresses = new List<AddressRecord>();
        while (await reader.ReadAsync(ct))
        {
            addresses.Add(new AddressRecord(reader.GetString(0), reader.GetString(1), DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(2))));
        }

        return addresses;
    }

    public async Task UpsertBanAsync(BanRecord ban, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(ban);
        using var _ = await database.EnterWriteAsync(ct);
        await using var connection = await database.OpenAsync(ct);
        await database.ExecuteAsync(connection, null,
            "insert into peer_bans (target, until, reason) values (@target, @until, @reason) "
            + "on conflict (target) do update set until = excluded.until, reason = excluded.reason",
            ct, ("target", ban.Target), ("until", ban.Until.ToUnixTimeSeconds()), ("reason", ban.Reason));
    }

    public async Task RemoveBanAsync(string target, CancellationToken ct = default)
    {
        using var _ = await database.EnterWriteAsync(ct);
        await using var connection = await database.OpenAsync(ct);
        await database.ExecuteAsync(connection, null, "delete from peer_bans where target = @target", ct, ("target", target));
    }

    public async Task<IReadOnlyList<BanRecord>> GetBansAsync(CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = database.Command(connection, null, "select target, until, reason from peer_bans order by target");
        await using var reader = await command.ExecuteReaderAsync(ct);
        var bans = new List<BanRecord>();
        while (await reader.ReadAsync(ct))
        {
            bans.Add(new BanRecord(reader.GetString(0), DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(1)), reader.GetString(2)));
        }

        return bans;
    }
}
