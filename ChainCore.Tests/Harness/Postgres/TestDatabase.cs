using Npgsql;
using Respawn;
using Respawn.Graph;

namespace ChainCore.Tests.Harness.Postgres;

/// <summary>
/// One database on the test server (one per node), created on first use and emptied by its own
/// Respawn <see cref="Respawner"/> between tests; the schema version row survives the reset.
/// Tests using one database run one at a time (the suite does not run them in parallel).
/// </summary>
public sealed class TestDatabase
{
    private Respawner? _respawner;
    private int _tableCount;

    private TestDatabase(string name, string connectionString)
    {
        Name = name;
        ConnectionString = connectionString;
    }

    public string Name { get; }

    public string ConnectionString { get; }

    public static async Task<TestDatabase> CreateAsync(PostgresServer server, string name, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(server);
        if (!System.Text.RegularExpressions.Regex.IsMatch(name, "^[a-z_][a-z0-9_]{0,62}$"))
        {
            throw new ArgumentException($"'{name}' is not a plain lower-case database name.", nameof(name));
        }

        await using (var connection = new NpgsqlConnection(server.ConnectionString))
        {
            await connection.OpenAsync(ct);
            await using var exists = new NpgsqlCommand("select 1 from pg_database where datname = @name", connection);
            exists.Parameters.AddWithValue("name", name);
            if (await exists.ExecuteScalarAsync(ct) is null)
            {
                await using var create = new NpgsqlCommand($"create database \"{name}\"", connection);
                await create.ExecuteNonQueryAsync(ct);
            }
        }

        var builder = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = name };
        return new TestDatabase(name, builder.ConnectionString);
    }

    /// <summary>Deletes every row of every table except <c>schema_version</c>. A fresh database with no tables is left alone.</summary>
    public async Task ResetAsync(CancellationToken ct = default)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(ct);
        var tables = await CountTablesAsync(connection, ct);
        if (tables == 0)
        {
            return;
        }

        // A Respawner remembers the tables it saw; make it again if the schema changed.
        if (_respawner is null || tables != _tableCount)
        {
            _respawner = await Respawner.CreateAsync(connection, new RespawnerOptions
            {
                DbAdapter = DbAdapter.Postgres,
                SchemasToInclude = ["public"],
                TablesToIgnore = [new Table("public", "schema_version")],
            });
            _tableCount = tables;
        }

        await _respawner.ResetAsync(connection);
    }

    /// <summary>Drops every table, for tests of schema creation and migration.</summary>
    public async Task DropAllTablesAsync(CancellationToken ct = default)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("drop schema public cascade; create schema public;", connection);
        await command.ExecuteNonQueryAsync(ct);
        _respawner = null;
    }

    private static async Task<int> CountTablesAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("select count(*) from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'", connection);
        return Convert.ToInt32(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
    }
}
