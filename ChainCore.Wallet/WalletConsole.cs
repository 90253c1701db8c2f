using System.Text;

namespace ChainCore.Wallet;

/// <summary>Where the wallet writes, how it asks for a passphrase and reads its environment: the real console, or a test's.</summary>
public interface IWalletConsole
{
    TextWriter Out { get; }

    TextWriter Error { get; }

    /// <summary>Whether a person can be asked for a passphrase (a terminal is attached).</summary>
    bool CanPrompt { get; }

    /// <summary>Asks for a secret without echoing it.</summary>
    string ReadSecret(string prompt);

    string? GetEnvironmentVariable(string name);
}

/// <summary>The process's console and environment.</summary>
public sealed class SystemWalletConsole : IWalletConsole
{
    public TextWriter Out => Console.Out;

    public TextWriter Error => Console.Error;

    public bool CanPrompt => !Console.IsInputRedirected;

    public string ReadSecret(string prompt)
    {
        Console.Error.Write(prompt);
        var secret = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                break;
            }

            if (key.Key == ConsoleKey.Backspace)
            {
                if (secret.Length > 0)
                {
                    secret.Length--;
                }
            }
            else if (!char.IsControl(key.KeyChar))
            {
                secret.Append(key.KeyChar);
            }
        }

        Console.Error.WriteLine();
        return secret.ToString();
    }

    public string? GetEnvironmentVariable(string name) => Environment.GetEnvironmentVariable(name);
}
