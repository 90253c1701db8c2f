using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;
using Respawn;
using Respawn.Graph;

namespace ChainCore.Tests.Harness.Postgres;

/// <summary>
/// One database of this test run (one per node), named with the run's id so that it can only be
/// one the suite created (<c>cc_test_&lt;run&gt;_node_0</c>): only such a database is ever reset,
/// emptied by its own Respawn <see cref="Respawner"/> between tests (the schema version row
/// survives), or dropped. Tests using one database run one at a time.
/// </summary>
public sealed partial class TestDatabase
{
    public const string Prefix = "cc_test_";
    private const string CommentMarker = "chaincore-test";

    private Respawner? _respawner;
    private int _tableCount;

    private TestDatabase(string name, string connectionString, PostgresServer server)
    {
        Name = name;
        ConnectionString = connectionString;
        Server = server;
    }

    public string Name { get; }

    /// <summary>With the server's password: never print it (use <see cref="ConnectionStrings.Redact"/>).</summary>
    public string ConnectionString { get; }

    public PostgresServer Server { get; }

    /// <summary>The database name of <paramref name="logicalName"/> in run <paramref name="runId"/>.</summary>
    public static string NameFor(string runId, string logicalName)
    {
        var name = $"{Prefix}{runId}_{logicalName}";
        if (!PlainName().IsMatch(name))
        {
            throw new ArgumentException($"'{logicalName}' does not make a plain lower-case database name (a-z, 0-9, _; {name.Length} of at most 63 characters).", nameof(logicalName));
        }

        return name;
    }

    /// <summary>Creates this run's database <paramref name="logicalName"/>; a database of that name that exists already is an error, never reused.</summary>
    public static async Task<TestDatabase> CreateAsync(PostgresServer server, string runId, string logicalName, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(server);
        var name = NameFor(runId, logicalName);
        await using (var connection = new NpgsqlConnection(server.ConnectionString))
        {
            await connection.OpenAsync(ct);
            await using (var create = new NpgsqlCommand($"create database \"{name}\"", connection))
            {
                await create.ExecuteNonQueryAsync(ct);
            }

            await using var comment = new NpgsqlCommand($"comment on database \"{name}\" is '{OwnerComment(runId)}'", connection);
            await comment.ExecuteNonQueryAsync(ct);
        }

        var builder = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = name };
        return new TestDatabase(name, builder.ConnectionString, server);
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

    /// <summary>Drops the database (closing the connections still open to it).</summary>
    public async Task DropAsync(CancellationToken ct = default)
    {
        NpgsqlConnection.ClearPool(new NpgsqlConnection(ConnectionString));
        await using var connection = new NpgsqlConnection(Server.ConnectionString);
        await connection.OpenAsync(ct);
        await DropAsync(connection, Name, ct);
    }

    /// <summary>
    /// Drops the databases of earlier runs on this machine whose process is gone (a run stopped
    /// before it could drop them). Only names with the suite's prefix and its own comment are considered.
    /// </summary>
    public static async Task<IReadOnlyList<string>> DropStaleAsync(PostgresServer server, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(server);
        var dropped = new List<string>();
        await using var connection = new NpgsqlConnection(server.ConnectionString);
        await connection.OpenAsync(ct);
        var candidates = new List<(string Name, string Comment)>();
        await using (var query = new NpgsqlCommand(
            "select datname, coalesce(shobj_description(oid, 'pg_database'), '') from pg_database where starts_with(datname, @prefix)", connection))
        {
            query.Parameters.AddWithValue("prefix", Prefix);
            await using var reader = await query.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                candidates.Add((reader.GetString(0), reader.GetString(1)));
            }
        }

        foreach (var (name, comment) in candidates)
        {
            if (!IsStaleComment(comment) || !PlainName().IsMatch(name))
            {
                continue;
            }

            try
            {
                await DropAsync(connection, name, ct);
                dropped.Add(name);
            }
            catch (PostgresException)
            {
                // Not ours to drop after all (another role's), or in use: leave it.
            }
        }

        return dropped;
    }

    private static async Task DropAsync(NpgsqlConnection maintenance, string name, CancellationToken ct)
    {
        await using var drop = new NpgsqlCommand($"drop database if exists \"{name}\" with (force)", maintenance);
        await drop.ExecuteNonQueryAsync(ct);
    }

    private static string OwnerComment(string runId)
    {
        using var self = Process.GetCurrentProcess();
        var start = ProcessRunner.StartTimeOf(self) is { } s ? new DateTimeOffset(s, TimeSpan.Zero).ToUnixTimeMilliseconds() : 0;
        var host = SafeWord().Replace(Environment.MachineName, "_");
        return string.Create(CultureInfo.InvariantCulture, $"{CommentMarker} run={runId} host={host} pid={Environment.ProcessId} start={start}");
    }

    /// <summary>A database of a run of this machine whose process is gone.</summary>
    internal static bool IsStaleComment(string comment)
    {
        var fields = comment.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length == 0 || fields[0] != CommentMarker)
        {
            return false;
        }

        var values = fields.Skip(1).Select(f => f.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
        if (!values.TryGetValue("host", out var host) || host != SafeWord().Replace(Environment.MachineName, "_")
            || !values.TryGetValue("pid", out var pidText) || !int.TryParse(pidText, NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
        {
            return false;
        }

        DateTime? started = values.TryGetValue("start", out var s) && long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms > 0
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime
            : null;
        return !ProcessRunner.IsAlive(pid, started);
    }

    private static async Task<int> CountTablesAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("select count(*) from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'", connection);
        return Convert.ToInt32(await command.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex PlainName();

    [GeneratedRegex("[^A-Za-z0-9_.-]")]
    private static partial Regex SafeWord();
}
