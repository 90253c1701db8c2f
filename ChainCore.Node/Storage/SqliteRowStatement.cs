using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace ChainCore.Node.Storage;

/// <summary>
/// One SQL statement prepared once on a connection and run for many rows, values bound by
/// position. For the thousands of rows of a big block this costs a fraction of running a
/// <see cref="SqliteCommand"/> per row, which opens a reader and binds every parameter by name
/// each time. It runs inside whatever transaction the connection has open.
/// </summary>
internal sealed class SqliteRowStatement : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;

    public SqliteRowStatement(SqliteConnection connection, string sql)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _db = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        Check(raw.sqlite3_prepare_v2(_db, sql, out _statement));
    }

    public SqliteRowStatement Bind(int position, ReadOnlySpan<byte> blob)
    {
        Check(raw.sqlite3_bind_blob(_statement, position, blob));
        return this;
    }

    public SqliteRowStatement Bind(int position, long value)
    {
        Check(raw.sqlite3_bind_int64(_statement, position, value));
        return this;
    }

    public SqliteRowStatement Bind(int position, bool value) => Bind(position, value ? 1L : 0L);

    /// <summary>Runs a statement that returns no rows; returns how many rows it changed.</summary>
    public int Execute()
    {
        var rc = raw.sqlite3_step(_statement);
        raw.sqlite3_reset(_statement);
        if (rc != raw.SQLITE_DONE)
        {
            Check(rc);
        }

        return raw.sqlite3_changes(_db);
    }

    /// <summary>Runs a query and hands each result row to <paramref name="read"/>.</summary>
    public void Query(Action<SqliteRowStatement> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        try
        {
            int rc;
            while ((rc = raw.sqlite3_step(_statement)) == raw.SQLITE_ROW)
            {
                read(this);
            }

            if (rc != raw.SQLITE_DONE)
            {
                Check(rc);
            }
        }
        finally
        {
            raw.sqlite3_reset(_statement);
        }
    }

    public long Int64(int column) => raw.sqlite3_column_int64(_statement, column);

    public ReadOnlySpan<byte> Blob(int column) => raw.sqlite3_column_blob(_statement, column);

    public void Dispose() => _statement.Dispose();

    private void Check(int rc)
    {
        if (rc is not (raw.SQLITE_OK or raw.SQLITE_DONE or raw.SQLITE_ROW))
        {
            throw new SqliteException(raw.sqlite3_errmsg(_db).utf8_to_string(), rc, raw.sqlite3_extended_errcode(_db));
        }
    }
}
