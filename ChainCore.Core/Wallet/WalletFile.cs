using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using ChainCore.Core.Crypto;
using ChainCore.Core.Serialization;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;

namespace ChainCore.Core.Wallet;

/// <summary>A wallet file that is not valid, or a passphrase that does not open it.</summary>
public sealed class WalletFileException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Argon2id cost: memory in KiB, passes, lanes.</summary>
public sealed record KdfCost(int MemoryKib, int Iterations, int Parallelism)
{
    /// <summary>64 MiB, 3 passes: a second or so on a laptop, far more for a guesser.</summary>
    public static KdfCost Default { get; } = new(64 * 1024, 3, 1);

    /// <summary>For tests only: cheap enough to run hundreds of times.</summary>
    public static KdfCost Fast { get; } = new(256, 1, 1);
}

/// <summary>
/// The wallet's file: JSON with the address, the public key and the private key — in clear when
/// no passphrase is given, otherwise encrypted with AES-256-GCM under a key derived by Argon2id.
/// The address and public key are the cipher's associated data, so swapping them is detected.
/// </summary>
public sealed class WalletFile
{
    public const int CurrentVersion = 1;
    private const int SaltSize = 16;
    private const int NonceSize = 12;
    private const int TagSize = 16;

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
    };

    private readonly Document _document;

    private WalletFile(Document document, Address address, PublicKey publicKey)
    {
        _document = document;
        Address = address;
        PublicKey = publicKey;
    }

    public Address Address { get; }

    public PublicKey PublicKey { get; }

    public bool IsEncrypted => _document.Encryption is not null;

    public static WalletFile Create(PrivateKey key, string? passphrase = null, KdfCost? cost = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        var address = key.PublicKey.ToAddress();
        var publicKey = key.PublicKey.ToHex();
        if (string.IsNullOrEmpty(passphrase))
        {
            return new WalletFile(new Document(CurrentVersion, address.ToString(), publicKey, key.ToHex(), null), address, key.PublicKey);
        }

        cost ??= KdfCost.Default;
        var salt = RandomNumberGenerator.GetBytes(SaltSize);
        var nonce = RandomNumberGenerator.GetBytes(NonceSize);
        var secret = DeriveKey(passphrase, salt, cost);
        var plaintext = key.ToBytes();
        var ciphertext = new byte[plaintext.Length];
        var tag = new byte[TagSize];
        using (var aes = new AesGcm(secret, TagSize))
        {
            aes.Encrypt(nonce, plaintext, ciphertext, tag, AssociatedData(address.ToString(), publicKey));
        }

        CryptographicOperations.ZeroMemory(plaintext);
        CryptographicOperations.ZeroMemory(secret);
        var encryption = new Encryption("argon2id", Convert.ToBase64String(salt), cost.MemoryKib, cost.Iterations, cost.Parallelism,
            "aes-256-gcm", Convert.ToBase64String(nonce), Convert.ToBase64String(ciphertext), Convert.ToBase64String(tag));
        return new WalletFile(new Document(CurrentVersion, address.ToString(), publicKey, null, encryption), address, key.PublicKey);
    }

    /// <summary>The private key; a wrong passphrase, a missing one or any tampering throws <see cref="WalletFileException"/>.</summary>
    public PrivateKey Unlock(string? passphrase = null)
    {
        PrivateKey key;
        if (_document.Encryption is not { } e)
        {
            key = ParseKey(_document.PrivateKey!);
        }
        else
        {
            if (string.IsNullOrEmpty(passphrase))
            {
                throw new WalletFileException("This wallet is encrypted: a passphrase is needed.");
            }

            var secret = DeriveKey(passphrase, FromBase64(e.Salt, "salt"), new KdfCost(e.MemoryKib, e.Iterations, e.Parallelism));
            var ciphertext = FromBase64(e.Ciphertext, "ciphertext");
            var plaintext = new byte[ciphertext.Length];
            try
            {
                using var aes = new AesGcm(secret, TagSize);
                aes.Decrypt(FromBase64(e.Nonce, "nonce"), ciphertext, FromBase64(e.Tag, "tag"), plaintext, AssociatedData(_document.Address, _document.PublicKey));
                key = PrivateKey.FromBytes(plaintext);
            }
            catch (Exception ex) when (ex is CryptographicException or ArgumentException or FormatException)
            {
                throw new WalletFileException("Wrong passphrase or corrupted wallet file.", ex);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(plaintext);
                CryptographicOperations.ZeroMemory(secret);
            }
        }

        if (!key.PublicKey.Equals(PublicKey))
        {
            throw new WalletFileException("The wallet's private key does not match its public key.");
        }

        return key;
    }

    public string ToJson() => JsonSerializer.Serialize(_document, Json);

    public static WalletFile FromJson(string json)
    {
        Document? document;
        try
        {
            document = JsonSerializer.Deserialize<Document>(json, Json);
        }
        catch (JsonException e)
        {
            throw new WalletFileException($"Not a wallet file: {e.Message}", e);
        }

        if (document is null || document.Address is null || document.PublicKey is null)
        {
            throw new WalletFileException("Not a wallet file: 'address' and 'public_key' are required.");
        }

        if (document.Version != CurrentVersion)
        {
            throw new WalletFileException($"Wallet file version {document.Version} is not supported (this program reads version {CurrentVersion}).");
        }

        if ((document.PrivateKey is null) == (document.Encryption is null))
        {
            throw new WalletFileException("A wallet file holds either 'private_key' or 'encryption', exactly one of them.");
        }

        if (document.Encryption is { } enc && (enc.Kdf != "argon2id" || enc.Cipher != "aes-256-gcm" || enc.MemoryKib is < 8 or > 4 * 1024 * 1024 || enc.Iterations is < 1 or > 100 || enc.Parallelism is < 1 or > 64))
        {
            throw new WalletFileException("The wallet's encryption settings are not supported.");
        }

        PublicKey publicKey;
        try
        {
            publicKey = PublicKey.FromHex(document.PublicKey);
        }
        catch (FormatException ex)
        {
            throw new WalletFileException("The wallet's public key is not valid.", ex);
        }

        if (!Address.TryParse(document.Address, out var address) || !address.Equals(publicKey.ToAddress()))
        {
            throw new WalletFileException("The wallet's address does not belong to its public key.");
        }

        var wallet = new WalletFile(document, address, publicKey);
        if (document.PrivateKey is not null)
        {
            wallet.Unlock();
        }

        return wallet;
    }

    /// <summary>Writes atomically (a temporary file, then a rename), readable by the owner only on Unix.</summary>
    public void Save(string path) => Write(path, overwrite: true);

    /// <summary>As <see cref="Save"/>, but never replaces a file: an existing <paramref name="path"/> throws <see cref="IOException"/> and is left as it was.</summary>
    public void SaveNew(string path) => Write(path, overwrite: false);

    private void Write(string path, bool overwrite)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temporary = full + ".tmp-" + Guid.NewGuid().ToString("N");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var stream = new FileStream(temporary, options))
            using (var writer = new StreamWriter(stream, new UTF8Encoding(false)))
            {
                writer.Write(ToJson());
            }

            File.Move(temporary, full, overwrite);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    public static WalletFile Load(string path)
    {
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new WalletFileException($"Cannot read the wallet file '{path}': {e.Message}", e);
        }

        return FromJson(json);
    }

    private static PrivateKey ParseKey(string hex)
    {
        try
        {
            return PrivateKey.FromHex(hex);
        }
        catch (FormatException e)
        {
            throw new WalletFileException("The wallet's private key is not valid.", e);
        }
    }

    private static byte[] DeriveKey(string passphrase, byte[] salt, KdfCost cost)
    {
        var generator = new Argon2BytesGenerator();
        generator.Init(new Argon2Parameters.Builder(Argon2Parameters.Argon2id)
            .WithVersion(Argon2Parameters.Version13)
            .WithSalt(salt)
            .WithMemoryAsKB(cost.MemoryKib)
            .WithIterations(cost.Iterations)
            .WithParallelism(cost.Parallelism)
            .Build());
        var key = new byte[32];
        generator.GenerateBytes(Encoding.UTF8.GetBytes(passphrase), key);
        return key;
    }

    private static byte[] AssociatedData(string address, string publicKey) => Encoding.UTF8.GetBytes($"chaincore-wallet-v1|{address}|{publicKey}");

    private static byte[] FromBase64(string? text, string field)
    {
        try
        {
            return Convert.FromBase64String(text ?? throw new WalletFileException($"The wallet's '{field}' is missing."));
        }
        catch (FormatException e)
        {
            throw new WalletFileException($"The wallet's '{field}' is not valid Base64.", e);
        }
    }

    private sealed record Document(int Version, string Address, string PublicKey, string? PrivateKey, Encryption? Encryption);

    private sealed record Encryption(string Kdf, string Salt, int MemoryKib, int Iterations, int Parallelism, string Cipher, string Nonce, string Ciphertext, string Tag);
}
