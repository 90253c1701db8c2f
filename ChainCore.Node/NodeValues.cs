using System.Net;
using Npgsql;

namespace ChainCore.Node;

/// <summary>What a valid setting looks like, shared by the command line and <see cref="NodeOptions.Validate"/>.</summary>
public static class NodeValues
{
    public const int MaxCoinbaseMaturity = 1_000_000;
    public const string NodeIdRule = "must be 1 to 64 letters, digits, '-', '_' or '.' (it names the node's SQLite file).";
    public const string NetworkRule = "must be main, devnet or regtest.";
    public const string HostRule = "must be an IP address (127.0.0.1, 0.0.0.0, ::1) or localhost.";
    public const string PortRule = "must be a port number from 1 to 65535.";
    public const string ApiPortRule = "must be a port number from 0 to 65535 (0 picks a free one).";
    public const string UrlRule = "must be an absolute http:// or https:// URL.";
    public const string UrlsRule = "must be comma-separated absolute http:// or https:// URLs.";
    public const string MaturityRule = "must be a whole number of blocks from 1 to 1000000.";

    public const string PackageCountRule = "must be a whole number of transactions from 1 to 1000.";
    public const string MaturityOnMainRule = "is only for regtest and devnet; main keeps its maturity of 100.";

    public static bool IsNodeId(string? value) =>
        !string.IsNullOrEmpty(value) && value.Length <= 64 && value is not ("." or "..")
        && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    public static bool IsHost(string? value) =>
        string.Equals(value, "localhost", StringComparison.OrdinalIgnoreCase) || IPAddress.TryParse(value, out _);

    public static bool IsHttpUrl(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    /// <summary>
    /// Reads a PostgreSQL connection string and describes where it points — user, host, port and
    /// database, never the password — for logs and error messages.
    /// </summary>
    public static bool TryDescribeDatabase(string connectionString, out string description, out string error)
    {
        description = string.Empty;
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            if (string.IsNullOrWhiteSpace(builder.Host))
            {
                error = "it names no Host";
                return false;
            }

            description = $"PostgreSQL {builder.Username ?? "(default user)"}@{builder.Host}:{builder.Port}/{builder.Database ?? "(default database)"}";
            error = string.Empty;
            return true;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException or OverflowException)
        {
            // The builder's messages name keywords, never values, so a password cannot leak through them.
            error = e.Message;
            return false;
        }
    }
}
