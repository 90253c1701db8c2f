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

    public string ReadSecret(string prompt) => ReadSecret(prompt, () => Console.ReadKey(intercept: true), Console.Error);

    /// <summary>
    /// Reads keys until Enter without echoing them: Backspace takes back the last character, other
    /// control keys are ignored. <paramref name="promptTo"/> shows the prompt and ends its line.
    /// </summary>
    internal static string ReadSecret(string prompt, Func<ConsoleKeyInfo> readKey, TextWriter promptTo)
    {
        promptTo.Write(prompt);
        var secret = new StringBuilder();
        while (true)
        {
            var key = readKey();
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

        promptTo.WriteLine();
        return secret.ToString();
    }

    public string? GetEnvironmentVariable(string name) => Environment.GetEnvironmentVariable(name);
}
