using System.Text.RegularExpressions;
using Npgsql;

namespace ChainCore.Tests.Harness.Postgres;

/// <summary>Connection strings as they may be shown: in messages, logs and reports, never with a password.</summary>
public static partial class ConnectionStrings
{
    public const string Mask = "***";

    /// <summary><paramref name="connectionString"/> with its password replaced by <see cref="Mask"/>.</summary>
    public static string Redact(string? connectionString)
    {
        if (string.IsNullOrEmpty(connectionString))
        {
            return string.Empty;
        }

        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            if (!string.IsNullOrEmpty(builder.Password))
            {
                builder.Password = Mask;
            }

            return builder.ConnectionString;
        }
        catch (ArgumentException)
        {
            return PasswordPair().Replace(connectionString, m => m.Groups["key"].Value + "=" + Mask);
        }
    }

    /// <summary>Any text with the passwords of <paramref name="connectionStrings"/> masked (for exception messages that quote them).</summary>
    public static string RedactIn(string text, params string?[] connectionStrings)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var cs in connectionStrings)
        {
            if (string.IsNullOrEmpty(cs))
            {
                continue;
            }

            text = text.Replace(cs, Redact(cs), StringComparison.Ordinal);
            var password = PasswordOf(cs);
            if (!string.IsNullOrEmpty(password))
            {
                text = text.Replace(password, Mask, StringComparison.Ordinal);
            }
        }

        return PasswordPair().Replace(text, m => m.Groups["key"].Value + "=" + Mask);
    }

    private static string? PasswordOf(string connectionString)
    {
        try
        {
            return new NpgsqlConnectionStringBuilder(connectionString).Password;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"(?<key>\b(?:password|pwd))\s*=\s*(?:'[^']*'|""[^""]*""|[^;]*)", RegexOptions.IgnoreCase)]
    private static partial Regex PasswordPair();
}
