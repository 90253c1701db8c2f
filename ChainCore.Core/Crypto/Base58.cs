namespace ChainCore.Core.Crypto;

/// <summary>Bitcoin's Base58 alphabet and encoding: leading zero bytes become leading '1's.</summary>
public static class Base58
{
    private const string Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

    private static readonly sbyte[] Digits = BuildDigits();

    public static string Encode(ReadOnlySpan<byte> data)
    {
        var zeros = 0;
        while (zeros < data.Length && data[zeros] == 0)
        {
            zeros++;
        }

        // log(256) / log(58) ≈ 1.366: an upper bound on the digits needed.
        var size = (data.Length - zeros) * 138 / 100 + 1;
        var digits = new byte[size];
        var length = 0;
        foreach (var value in data[zeros..])
        {
            var carry = (int)value;
            var i = 0;
            for (var k = size - 1; (carry != 0 || i < length) && k >= 0; k--, i++)
            {
                carry += 256 * digits[k];
                digits[k] = (byte)(carry % 58);
                carry /= 58;
            }

            length = i;
        }

        // Each step leaves the top digit non-zero (the value only grows), so no leading zero digit is left to skip.
        var start = size - length;
        var chars = new char[zeros + size - start];
        chars.AsSpan(0, zeros).Fill('1');
        for (var i = start; i < size; i++)
        {
            chars[zeros + i - start] = Alphabet[digits[i]];
        }

        return new string(chars);
    }

    /// <summary>Decodes Base58; any character outside the alphabet (whitespace included) throws <see cref="FormatException"/>.</summary>
    public static byte[] Decode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var zeros = 0;
        while (zeros < text.Length && text[zeros] == '1')
        {
            zeros++;
        }

        // log(58) / log(256) ≈ 0.733: an upper bound on the bytes needed.
        var size = (text.Length - zeros) * 733 / 1000 + 1;
        var bytes = new byte[size];
        var length = 0;
        for (var position = zeros; position < text.Length; position++)
        {
            var c = text[position];
            var carry = c < 128 ? Digits[c] : -1;
            if (carry < 0)
            {
                throw new FormatException($"'{c}' at position {position} is not a Base58 character.");
            }

            var i = 0;
            for (var k = size - 1; (carry != 0 || i < length) && k >= 0; k--, i++)
            {
                carry += 58 * bytes[k];
                bytes[k] = (byte)(carry % 256);
                carry /= 256;
            }

            length = i;
        }

        // As in Encode, the top byte is never zero: nothing to skip.
        var start = size - length;
        var result = new byte[zeros + size - start];
        bytes.AsSpan(start).CopyTo(result.AsSpan(zeros));
        return result;
    }

    private static sbyte[] BuildDigits()
    {
        var digits = new sbyte[128];
        Array.Fill(digits, (sbyte)-1);
        for (var i = 0; i < Alphabet.Length; i++)
        {
            digits[Alphabet[i]] = (sbyte)i;
        }

        return digits;
    }
}

/// <summary>Base58 with a 4-byte SHA256d checksum appended, as Bitcoin addresses use.</summary>
public static class Base58Check
{
    private const int ChecksumSize = 4;

    public static string Encode(ReadOnlySpan<byte> payload)
    {
        var data = new byte[payload.Length + ChecksumSize];
        payload.CopyTo(data);
        Hashes.Sha256d(payload).AsSpan(0, ChecksumSize).CopyTo(data.AsSpan(payload.Length));
        return Base58.Encode(data);
    }

    /// <summary>Decodes and checks the checksum; false for bad characters, a short string or a wrong checksum.</summary>
    public static bool TryDecode(string? text, out byte[] payload)
    {
        payload = [];
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        byte[] data;
        try
        {
            data = Base58.Decode(text);
        }
        catch (FormatException)
        {
            return false;
        }

        if (data.Length < ChecksumSize)
        {
            return false;
        }

        var body = data.AsSpan(0, data.Length - ChecksumSize);
        if (!Hashes.Sha256d(body).AsSpan(0, ChecksumSize).SequenceEqual(data.AsSpan(body.Length)))
        {
            return false;
        }

        payload = body.ToArray();
        return true;
    }
}
