using System.Diagnostics;
using System.Globalization;
using ChainCore.Tests.Harness;
using ChainCore.Tests.Harness.Postgres;
using Npgsql;
using static ChainCore.Tests.Harness.Waits;

namespace ChainCore.Tests.Integration.Harness;

/// <summary>The suite is safe with the machine and with a person's own server: what it starts ends with it, what it did not create it never touches.</summary>
[TestFixture, Category("Integration"), Category("Database")]
public sealed class PostgresHarnessTests : NodeTestBase
{
    [Test]
    public async Task A_killed_test_host_leaves_no_postgres_and_no_folder_behind()
    {
        using var child = ChildProcesses.StartTestAssembly(["start-cluster"]);
        string dir;
        try
        {
            var line = await child.StandardOutput.ReadLineAsync().WaitAsync(Timeouts.Scale(TimeSpan.FromSeconds(120)));
            if (line is null || !line.StartsWith("cluster ", StringComparison.Ordinal))
            {
                await child.WaitForExitAsync().WaitAsync(Timeouts.Scale(TimeSpan.FromSeconds(10)));
                Assert.Fail($"The child printed '{line}': {await child.StandardError.ReadToEndAsync()}");
            }

            dir = line!.Split(' ')[1];
            Directory.Exists(dir).ShouldBeTrue();
        }
        catch
        {
            child.Kill(entireProcessTree: true);
            throw;
        }

        var postmaster = int.Parse(File.ReadLines(Path.Combine(dir, "data", "postmaster.pid")).First(), CultureInfo.InvariantCulture);
        ProcessRunner.IsAlive(postmaster, null).ShouldBeTrue();

        child.Kill();
        await child.WaitForExitAsync();

        await WaitUntilAsync(
            () => !Directory.Exists(dir) && !ProcessRunner.IsAlive(postmaster, null),
            () => $"folder {dir} exists: {Directory.Exists(dir)}; postmaster {postmaster} alive: {ProcessRunner.IsAlive(postmaster, null)}",
            TimeSpan.FromSeconds(15));
    }

    [Test]
    public async Task Clusters_of_dead_runs_are_removed_and_clusters_of_live_runs_kept()
    {
        var binaries = PostgresServer.FindBinaries();
        Assume.That(binaries, Is.Not.Null, "needs PostgreSQL's binaries");
        var root = Directory.CreateTempSubdirectory("ccpg-stale-test-").FullName;
        try
        {
            int deadPid;
            using (var exited = Process.Start(new ProcessStartInfo(ChildProcesses.Dotnet, "--version") { RedirectStandardOutput = true })!)
            {
                await exited.WaitForExitAsync();
                deadPid = exited.Id;
            }

            var dead = Directory.CreateDirectory(Path.Combine(root, ThrowawayCluster.FolderPrefix + "dead")).FullName;
            ThrowawayCluster.WriteOwner(dead, deadPid, DateTime.UtcNow.AddHours(-1));
            var live = Directory.CreateDirectory(Path.Combine(root, ThrowawayCluster.FolderPrefix + "live")).FullName;
            using (var self = Process.GetCurrentProcess())
            {
                ThrowawayCluster.WriteOwner(live, Environment.ProcessId, ProcessRunner.StartTimeOf(self));
            }

            var starting = Directory.CreateDirectory(Path.Combine(root, ThrowawayCluster.FolderPrefix + "starting")).FullName;

            var removed = await ThrowawayCluster.RemoveStaleAsync(binaries!, root, CancellationToken.None);

            removed.ShouldBe([dead]);
            Directory.Exists(live).ShouldBeTrue();
            Directory.Exists(starting).ShouldBeTrue("a folder without its owner file yet is a cluster being started");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Test]
    public async Task A_wrong_password_fails_at_once_and_its_message_has_no_password()
    {
        var server = await TestEnvironment.GetServerAsync();
        const string wrong = "Wrong-Secret-7f3a9";
        var connectionString = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Password = wrong }.ConnectionString;
        var clock = Stopwatch.StartNew();

        var e = await Should.ThrowAsync<InvalidOperationException>(() => PostgresServer.FindOrStartAsync(connectionString, CancellationToken.None));

        clock.Elapsed.ShouldBeLessThan(Timeouts.Scale(TimeSpan.FromSeconds(5)), "an authentication error is not retried");
        e.Message.ShouldNotContain(wrong);
        e.Message.ShouldContain("Password=" + ConnectionStrings.Mask);
        e.Message.ShouldContain("28P01");
    }

    [Test]
    public async Task A_database_the_suite_did_not_create_is_never_touched()
    {
        var server = await TestEnvironment.GetServerAsync();
        // The name earlier versions of the suite reused and emptied; on a server of one's own, a name of its own.
        var foreign = server.IsThrowaway ? "chaincore_node_0" : $"cc_person_{TestEnvironment.RunId}";
        await ExecuteAsync(server.ConnectionString, $"create database \"{foreign}\"");
        var foreignConnection = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = foreign }.ConnectionString;
        try
        {
            await ExecuteAsync(foreignConnection, "create table notes(text text); insert into notes values ('mine, keep it')");

            await using (var node = await StartNodeAsync(index: 0))
            {
                await node.MineAsync(1, Wallets.NewWallet().Address.ToString());
            }

            await (await TestEnvironment.GetDatabaseAsync("node_0")).ResetAsync();
            await TestDatabase.DropStaleAsync(server);

            await using var connection = new NpgsqlConnection(foreignConnection);
            await connection.OpenAsync();
            await using var read = new NpgsqlCommand("select text from notes", connection);
            (await read.ExecuteScalarAsync()).ShouldBe("mine, keep it");
        }
        finally
        {
            NpgsqlConnection.ClearPool(new NpgsqlConnection(foreignConnection));
            await ExecuteAsync(server.ConnectionString, $"drop database if exists \"{foreign}\" with (force)");
        }
    }

    [Test]
    public async Task Databases_are_named_for_the_run_and_two_runs_never_share_one()
    {
        var database = await TestEnvironment.GetDatabaseAsync("node_0");
        var otherRun = await ChildProcesses.RunTestAssemblyAsync(["run-id"]);

        database.Name.ShouldBe($"cc_test_{TestEnvironment.RunId}_node_0");
        otherRun.ShouldNotBe(TestEnvironment.RunId);
        TestDatabase.NameFor(otherRun, "node_0").ShouldNotBe(database.Name);
    }

    [Test]
    public async Task Databases_of_dead_runs_on_this_machine_are_dropped_and_others_kept()
    {
        var server = await TestEnvironment.GetServerAsync();
        var dead = await TestDatabase.CreateAsync(server, "deadbeef", $"stale_{TestEnvironment.RunId}");
        await ExecuteAsync(server.ConnectionString, $"comment on database \"{dead.Name}\" is 'chaincore-test run=deadbeef host={Environment.MachineName} pid=999999999 start=1'");
        var live = await TestDatabase.CreateAsync(server, TestEnvironment.RunId, "live_owner");
        var unmarked = TestDatabase.NameFor("0badc0de", $"unmarked_{TestEnvironment.RunId}");
        await ExecuteAsync(server.ConnectionString, $"create database \"{unmarked}\"");
        try
        {
            var dropped = await TestDatabase.DropStaleAsync(server);

            dropped.ShouldContain(dead.Name);
            (await ExistsAsync(server, dead.Name)).ShouldBeFalse();
            (await ExistsAsync(server, live.Name)).ShouldBeTrue();
            (await ExistsAsync(server, unmarked)).ShouldBeTrue("a database without the suite's comment is not the suite's");
        }
        finally
        {
            await live.DropAsync();
            await ExecuteAsync(server.ConnectionString, $"drop database if exists \"{unmarked}\" with (force)");
            await ExecuteAsync(server.ConnectionString, $"drop database if exists \"{dead.Name}\" with (force)");
        }
    }

    [Test]
    public async Task The_timeout_factor_is_read_from_its_environment_variable()
    {
        var factor = await ChildProcesses.RunTestAssemblyAsync(["timeout-factor"], new Dictionary<string, string?> { [Timeouts.EnvironmentVariable] = "2.5" });

        factor.ShouldBe("2.5");
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<bool> ExistsAsync(PostgresServer server, string name)
    {
        await using var connection = new NpgsqlConnection(server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select 1 from pg_database where datname = @name", connection);
        command.Parameters.AddWithValue("name", name);
        return await command.ExecuteScalarAsync() is not null;
    }
}
