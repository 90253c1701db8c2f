using System.Globalization;

namespace ChainCore.Core.Primitives;

/// <summary>
/// A quantity of money in integer units (1 CHC = 100,000,000 units). Arithmetic is checked;
/// parsing accepts decimal coins with at most 8 places and never goes through floating point.
/// </summary>
public readonly record struct Amount(long Units) : IComparable<Amount>
{
    public const long UnitsPerCoin = 100_000_000;
    public const int Decimals = 8;

    /// <summary>21 million coins: no amount, output or sum may exceed it.</summary>
    public static readonly Amount MaxMoney = new(21_000_000 * UnitsPerCoin);

    public static Amount Zero => default;

    public static Amount FromCoins(long coins) => new(checked(coins * UnitsPerCoin));

    /// <summary>Exact conversion from decimal coins; more than 8 places is refused, never rounded.</summary>
    public static Amount FromCoins(decimal coins)
    {
        var units = coins * UnitsPerCoin;
        if (units != decimal.Truncate(units))
        {
            throw new FormatException($"{coins} has more than {Decimals} decimal places.");
        }

        if (units > long.MaxValue || units < long.MinValue)
        {
            throw new OverflowException($"{coins} coins is out of range.");
        }

        return new Amount((long)units);
    }

    /// <summary>Whether this is a valid money value: 0 ≤ units ≤ <see cref="MaxMoney"/>.</summary>
    public bool IsInMoneyRange => Units >= 0 && Units <= MaxMoney.Units;

    public decimal ToCoins() => (decimal)Units / UnitsPerCoin;

    /// <summary>
    /// Parses a non-negative amount of coins written as a plain decimal ("12", "0.5", "0.00000001"):
    /// no sign, no exponent, no thousands separators, at most 8 places, at most <see cref="MaxMoney"/>.
    /// </summary>
    public static Amount ParseCoins(string text)
    {
        if (!TryParseCoins(text, out var amount, out var error))
        {
            throw new FormatException(error);
        }

        return amount;
    }

    public static bool TryParseCoins(string? text, out Amount amount) => TryParseCoins(text, out amount, out _);

    public static bool TryParseCoins(string? text, out Amount amount, out string error)
    {
        amount = default;
        if (string.IsNullOrEmpty(text))
        {
            error = "An amount is required.";
            return false;
        }

        var dot = text.IndexOf('.', StringComparison.Ordinal);
        var whole = dot < 0 ? text : text[..dot];
        var fraction = dot < 0 ? string.Empty : text[(dot + 1)..];
        if (whole.Length == 0 || !whole.All(char.IsAsciiDigit) || !fraction.All(char.IsAsciiDigit) || (dot >= 0 && fraction.Length == 0))
        {
            error = $"'{text}' is not a plain decimal number of coins.";
            return false;
        }

        if (fraction.Length > Decimals)
        {
            error = $"'{text}' has more than {Decimals} decimal places.";
            return false;
        }

        var trimmedWhole = whole.TrimStart('0');
        if (trimmedWhole.Length > 8)
        {
            error = $"'{text}' exceeds the maximum amount of money.";
            return false;
        }

        var coins = trimmedWhole.Length == 0 ? 0 : long.Parse(trimmedWhole, CultureInfo.InvariantCulture);
        var units = coins * UnitsPerCoin + long.Parse(fraction.PadRight(Decimals, '0'), CultureInfo.InvariantCulture);
        var parsed = new Amount(units);
        if (!parsed.IsInMoneyRange)
        {
            error = $"'{text}' exceeds the maximum amount of money.";
            return false;
        }

        amount = parsed;
        error = string.Empty;
        return true;
    }

    /// <summary>Coins with exactly 8 decimal places, e.g. "1.50000000".</summary>
    public override string ToString()
    {
        var sign = Units < 0 ? "-" : string.Empty;
        var magnitude = Units < 0 ? -(decimal)Units : Units;
        var whole = decimal.Truncate(magnitude / UnitsPerCoin);
        var fraction = magnitude - whole * UnitsPerCoin;
        return string.Create(CultureInfo.InvariantCulture, $"{sign}{whole}.{fraction:00000000}");
    }

    public int CompareTo(Amount other) => Units.CompareTo(other.Units);

    public static Amount operator +(Amount left, Amount right) => new(checked(left.Units + right.Units));

    public static Amount operator -(Amount left, Amount right) => new(checked(left.Units - right.Units));

    public static Amount operator -(Amount amount) => new(checked(-amount.Units));

    /// <summary>So many times the amount (ten payments of one coin: <c>Amount.FromCoins(1) * 10</c>); overflow throws.</summary>
    public static Amount operator *(Amount amount, long times) => new(checked(amount.Units * times));

    public static Amount operator *(long times, Amount amount) => amount * times;

    /// <summary>The amount split into <paramref name="parts"/> equal shares, in whole units: the remainder (<c>%</c>) is left over, never rounded away unseen.</summary>
    public static Amount operator /(Amount amount, long parts) =>
        parts == 0 ? throw new DivideByZeroException("An amount cannot be split into zero parts.") : new(checked(amount.Units / parts));

    /// <summary>The units left over when the amount is split into <paramref name="parts"/> equal shares.</summary>
    public static Amount operator %(Amount amount, long parts) =>
        parts == 0 ? throw new DivideByZeroException("An amount cannot be split into zero parts.") : new(amount.Units % parts);

    /// <summary>The sum of <paramref name="amounts"/> (zero for none); overflow throws.</summary>
    public static Amount Sum(IEnumerable<Amount> amounts)
    {
        ArgumentNullException.ThrowIfNull(amounts);
        var sum = Zero;
        foreach (var amount in amounts)
        {
            sum += amount;
        }

        return sum;
    }

    public static bool operator <(Amount left, Amount right) => left.Units < right.Units;

    public static bool operator >(Amount left, Amount right) => left.Units > right.Units;

    public static bool operator <=(Amount left, Amount right) => left.Units <= right.Units;

    public static bool operator >=(Amount left, Amount right) => left.Units >= right.Units;
}
