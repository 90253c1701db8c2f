namespace ChainCore.Core.Crypto;

/// <summary>
/// A pay-to-public-key-hash address: Base58Check(0x00 ‖ RIPEMD160(SHA256(public key))), so it
/// starts with '1'. An <see cref="Address"/> is always valid: parsing refuses anything else.
/// </summary>
public sealed class Address : IEquatable<Address>
{
    public const byte Version = 0x00;
    public const int HashSize = 20;

    private readonly byte[] _hash;
    private readonly string _text;

    private Address(byte[] hash)
    {
        _hash = hash;
        _text = Base58Check.Encode([Version, .. hash]);
    }

    /// <summary>The 20-byte hash160 of the public key.</summary>
    public ReadOnlySpan<byte> PublicKeyHash => _hash;

    public static Address FromPublicKeyHash(ReadOnlySpan<byte> publicKeyHash)
    {
        if (publicKeyHash.Length != HashSize)
        {
            throw new ArgumentException($"A public key hash is {HashSize} bytes.", nameof(publicKeyHash));
        }

        return new Address(publicKeyHash.ToArray());
    }

    public static bool IsValid(string? text) => TryParse(text, out _);

    public static Address Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!TryParse(text, out var address, out var error))
        {
            throw new FormatException(error);
        }

        return address;
    }

    public static bool TryParse(string? text, out Address address) => TryParse(text, out address, out _);

    private static bool TryParse(string? text, out Address address, out string error)
    {
        address = null!;
        if (string.IsNullOrEmpty(text) || text.Length is < 26 or > 35)
        {
            error = $"'{text}' is not an address: an address is 26 to 35 Base58 characters starting with 1.";
            return false;
        }

        if (!Base58Check.TryDecode(text, out var payload))
        {
            error = $"'{text}' is not an address: bad Base58 characters or checksum.";
            return false;
        }

        if (payload.Length != 1 + HashSize || payload[0] != Version)
        {
            error = $"'{text}' is not a ChainCore address: only version 0x00 pay-to-public-key-hash addresses (starting with 1) are valid.";
            return false;
        }

        address = new Address(payload[1..]);
        // Stryker disable once String : no caller reads the error of a parse that succeeded
        error = string.Empty;
        return true;
    }

    public bool Equals(Address? other) => other is not null && _hash.AsSpan().SequenceEqual(other._hash);

    public override bool Equals(object? obj) => Equals(obj as Address);

    public override int GetHashCode() => _text.GetHashCode(StringComparison.Ordinal);

    public override string ToString() => _text;
}
