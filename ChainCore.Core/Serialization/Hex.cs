namespace ChainCore.Core.Serialization;

/// <summary>Lower-case hex, strict on input.</summary>
public static class Hex
{
    public static string Encode(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    public static byte[] Decode(string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        if (hex.Length % 2 != 0)
        {
            throw new FormatException("Hex string must have an even number of digits.");
        }

        try
        {
            return Convert.FromHexString(hex);
        }
        catch (FormatException)
        {
            throw new FormatException("Hex string contains a character that is not a hex digit.");
        }
    }

    public static bool TryDecode(string? hex, out byte[] bytes)
    {
        bytes = [];
        if (hex is null || hex.Length % 2 != 0)
        {
            return false;
        }

        try
        {
            bytes = Convert.FromHexString(hex);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
