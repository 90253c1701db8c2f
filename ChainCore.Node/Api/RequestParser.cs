using System.Collections.Immutable;
using System.Globalization;
using ChainCore.Core.Api;
using ChainCore.Core.Consensus;
using ChainCore.Core.Crypto;
using ChainCore.Core.Primitives;
using ChainCore.Core.Serialization;

namespace ChainCore.Node.Api;

/// <summary>
/// Request models and raw hex to protocol objects. Every field is checked here, at the boundary —
/// nulls (inside arrays too), missing fields, bad hex, amounts that are negative, above the maximum
/// money or finer than one unit — and refused with a <see cref="BadRequestException"/> naming the
/// field. What is well formed but breaks a rule is left to consensus and policy.
/// </summary>
public static class RequestParser
{
    public static Transaction ParseTransaction(SubmitTransactionRequest body)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (body.Hex is { } hex)
        {
            if (body.Inputs is not null || body.Outputs is not null || body.Version is not null || body.LockTime is not null)
            {
                throw new BadRequestException("Give either 'hex' or the transaction's fields ('inputs', 'outputs', optional 'version' and 'lock_time'), not both.");
            }

            return ParseTransactionHex(hex, "hex");
        }

        if (body.Inputs is null || body.Outputs is null)
        {
            throw new BadRequestException("Give either 'hex' or 'inputs' and 'outputs'.");
        }

        var inputs = ImmutableArray.CreateBuilder<TxIn>(body.Inputs.Count);
        for (var i = 0; i < body.Inputs.Count; i++)
        {
            inputs.Add(ParseInput(body.Inputs[i], $"inputs[{i}]"));
        }

        var outputs = ImmutableArray.CreateBuilder<TxOut>(body.Outputs.Count);
        for (var i = 0; i < body.Outputs.Count; i++)
        {
            outputs.Add(ParseOutput(body.Outputs[i], $"outputs[{i}]"));
        }

        return new Transaction(body.Version ?? Transaction.CurrentVersion, inputs.MoveToImmutable(), outputs.MoveToImmutable(), body.LockTime ?? 0);
    }

    public static Transaction ParseTransactionHex(string? hex, string field)
    {
        var bytes = ParseHex(hex, field);
        try
        {
            return Transaction.Parse(bytes);
        }
        catch (FormatException e)
        {
            throw new BadRequestException($"'{field}' is not a serialized transaction: {e.Message}", e);
        }
    }

    public static Block ParseBlockHex(string? hex, string field)
    {
        var bytes = ParseHex(hex, field);
        try
        {
            return Block.Parse(bytes);
        }
        catch (FormatException e)
        {
            throw new BadRequestException($"'{field}' is not a serialized block: {e.Message}", e);
        }
    }

    /// <summary>A payout or payee address; a missing or invalid one is refused with <c>invalid-address</c>.</summary>
    public static Address ParseAddress(string? text, string field)
    {
        if (text is null)
        {
            throw new BadRequestException($"'{field}' is required.");
        }

        return Address.TryParse(text, out var address)
            ? address
            : throw new BadRequestException(
                $"'{field}' ('{Shorten(text)}') is not a valid ChainCore address (Base58Check, version 0x00, starting with 1).",
                StatusCodes.Status400BadRequest,
                RejectCodes.InvalidAddress);
    }

    /// <summary>Decimal coins to units: 0 to the maximum money, at most 8 decimal places, never rounded.</summary>
    public static Amount ParseCoins(decimal? coins, string field)
    {
        if (coins is not { } value)
        {
            throw new BadRequestException($"'{field}' is required.");
        }

        if (value < 0)
        {
            throw new BadRequestException($"'{field}' is negative ({value.ToString(CultureInfo.InvariantCulture)}).");
        }

        if (value > Amount.MaxMoney.ToCoins())
        {
            throw new BadRequestException($"'{field}' ({value.ToString(CultureInfo.InvariantCulture)}) exceeds the maximum money, {Amount.MaxMoney.ToCoins().ToString(CultureInfo.InvariantCulture)} coins.");
        }

        var units = value * Amount.UnitsPerCoin;
        if (units != decimal.Truncate(units))
        {
            throw new BadRequestException($"'{field}' ({value.ToString(CultureInfo.InvariantCulture)}) has more than {Amount.Decimals} decimal places.");
        }

        return new Amount((long)units);
    }

    private static TxIn ParseInput(SubmitInput? input, string field)
    {
        if (input is null)
        {
            throw new BadRequestException($"'{field}' is null; each input is an object with 'txid', 'index', 'signature' and 'public_key'.");
        }

        if (input.Txid is null)
        {
            throw new BadRequestException($"'{field}.txid' is required.");
        }

        if (!Hash256.TryParse(input.Txid, out var previous))
        {
            throw new BadRequestException($"'{field}.txid' ('{Shorten(input.Txid)}') is not a transaction id (64 hex digits).");
        }

        var signature = ParseHex(input.Signature, $"{field}.signature");
        var publicKey = ParseHex(input.PublicKey, $"{field}.public_key");
        return new TxIn(new OutPoint(previous, input.Index), [.. signature], [.. publicKey]);
    }

    private static TxOut ParseOutput(SubmitOutput? output, string field)
    {
        if (output is null)
        {
            throw new BadRequestException($"'{field}' is null; each output is an object with 'address' and 'amount'.");
        }

        var address = ParseAddress(output.Address, $"{field}.address");
        var amount = ParseCoins(output.Amount, $"{field}.amount");
        return new TxOut(amount, [.. address.PublicKeyHash]);
    }

    private static byte[] ParseHex(string? hex, string field)
    {
        if (hex is null)
        {
            throw new BadRequestException($"'{field}' is required.");
        }

        var trimmed = hex.Trim();
        return Hex.TryDecode(trimmed, out var bytes)
            ? bytes
            : throw new BadRequestException($"'{field}' is not hex (an even number of the digits 0-9, a-f).");
    }

    private static string Shorten(string text) => text.Length <= 80 ? text : string.Concat(text.AsSpan(0, 80), "…");
}
