using System.Text;
using ChainCore.Tests.Harness.Postgres;
using ChainCore.Tests.Harness.Timeline;
using Npgsql;
using NUnit.Framework.Interfaces;

namespace ChainCore.Tests.Harness;

/// <summary>
/// What a failed test with nodes leaves behind under <c>tests/reports/failures/&lt;test&gt;/</c>: the
/// test's merged node log (also attached to the test, so Test Explorer and the html report show it),
/// every node's final state, a copy of each SQLite data folder and a CSV dump of each PostgreSQL database;
/// for a network test, also its timeline (<see cref="TimelinePage"/>), attached and named in the result message.
/// </summary>
public static class FailureEvidence
{
    private const int MaxRowsPerTable = 10_000;

    public static bool CurrentTestFailed =>
        TestContext.CurrentContext.Result.Outcome.Status == TestStatus.Failed;

    /// <summary>Keeps the evidence of the current test and attaches its log and state; returns the folder.</summary>
    public static async Task<string> KeepAsync(TestLog? log, IReadOnlyList<TestNode> nodes, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        var dir = Path.Combine(ReportPaths.Failures, ReportPaths.FolderNameFor(TestContext.CurrentContext.Test.FullName));
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }

        Directory.CreateDirectory(dir);

        var state = new StringBuilder();
        state.AppendLine(TestContext.CurrentContext.Test.FullName);
        state.AppendLine(TestContext.CurrentContext.Result.Message);
        state.AppendLine();
        foreach (var node in nodes)
        {
            state.AppendLine(node.ToString());
            var database = node.Settings.Database is null ? "(SQLite)" : ConnectionStrings.Redact(node.Settings.Database);
            state.AppendLine($"  network {node.Settings.Network}, database {database}, data dir {node.Settings.DataDir ?? "-"}");
        }

        var statePath = Path.Combine(dir, "state.txt");
        await File.WriteAllTextAsync(statePath, state.ToString(), ct);
        TestContext.AddTestAttachment(statePath, "Nodes' final state");

        if (log is not null)
        {
            var logPath = Path.Combine(dir, "nodes.log");
            // Whatever a node logged, no password of its database reaches the report.
            await File.WriteAllTextAsync(logPath, ConnectionStrings.RedactIn(log.ToString(), [.. nodes.Select(n => n.Settings.Database)]), ct);
            TestContext.AddTestAttachment(logPath, "Node log (all nodes, Debug level)");

            if (log.Timeline is { } timeline)
            {
                var databases = nodes.Select(n => n.Settings.Database).ToArray();
                var timelinePath = await TimelineEvidence.WriteAsync(timeline, dir, TestContext.CurrentContext.Test.FullName, text => ConnectionStrings.RedactIn(text, databases), ct);
                TestContext.AddTestAttachment(timelinePath, "Timeline: every node's and miner's lane, the test's steps");
                TimelineEvidence.NameInResultMessage(timelinePath);
            }
        }

        foreach (var node in nodes)
        {
            try
            {
                if (node.Settings.DataDir is { } dataDir && Directory.Exists(dataDir))
                {
                    CopyDirectory(dataDir, Path.Combine(dir, node.NodeId));
                }

                if (node.Settings.Database is { } database)
                {
                    await DumpDatabaseAsync(database, Path.Combine(dir, node.NodeId + ".postgres"), ct);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or NpgsqlException)
            {
                await File.AppendAllTextAsync(statePath, $"{node.NodeId}: its data could not be kept: {ConnectionStrings.RedactIn(e.Message, node.Settings.Database)}{Environment.NewLine}", ct);
            }
        }

        await TestContext.Out.WriteLineAsync($"Evidence of the failure kept in {dir}");
        return dir;
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            // Open shared: a store may still hold the file.
            using var source = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var target = File.Create(Path.Combine(to, Path.GetFileName(file)));
            source.CopyTo(target);
        }

        foreach (var sub in Directory.GetDirectories(from))
        {
            CopyDirectory(sub, Path.Combine(to, Path.GetFileName(sub)));
        }
    }

    private static async Task DumpDatabaseAsync(string connectionString, string to, CancellationToken ct)
    {
        Directory.CreateDirectory(to);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand("select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1", connection))
        await using (var reader = await list.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                tables.Add(reader.GetString(0));
            }
        }

        foreach (var table in tables)
        {
            var quoted = "\"" + table.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
            using var export = await connection.BeginTextExportAsync($"copy (select * from public.{quoted} limit {MaxRowsPerTable}) to stdout with (format csv, header)", ct);
            await File.WriteAllTextAsync(Path.Combine(to, ReportPaths.FolderNameFor(table) + ".csv"), await export.ReadToEndAsync(ct), ct);
        }
    }
}
