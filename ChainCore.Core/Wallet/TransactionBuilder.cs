using System.Collections.Immutable;
using ChainCore.Core.Crypto;
using ChainCore.Core.Primitives;

namespace ChainCore.Core.Wallet;

/// <summary>An output the wallet may spend; unconfirmed ones are change or payments still in the mempool.</summary>
public sealed record SpendableCoin(OutPoint OutPoint, Amount Value, bool Confirmed);

public sealed record Payment(Address To, Amount Amount);

/// <summary>The outcome of building a transaction: a signed transaction, or a refusal with a code and the figures behind it.</summary>
public sealed record BuildResult(Transaction? Transaction, string? Error, string Message, Amount Fee)
{
    public const string InsufficientFunds = "insufficient-funds";
    public const string InvalidAmount = "invalid-amount";
    public const string InvalidFee = "invalid-fee";

    public bool Success => Transaction is not null;

    public static BuildResult Refused(string error, string message) => new(null, error, message, Amount.Zero);
}

/// <summary>
/// Builds and signs pay-to-public-key-hash transactions on the client: the private key never leaves it.
/// Coin selection is deterministic: one coin that pays exactly if there is one; otherwise confirmed
/// coins before unconfirmed ones, largest first, until the payments and the fee are covered.
/// Change goes back to the sender's address.
/// </summary>
public static class TransactionBuilder
{
    public static BuildResult Build(PrivateKey key, IReadOnlyList<SpendableCoin> coins, Address to, Amount amount, Amount fee) =>
        Build(key, coins, [new Payment(to, amount)], fee);

    public static BuildResult Build(PrivateKey key, IReadOnlyList<SpendableCoin> coins, IReadOnlyList<Payment> payments, Amount fee)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(coins);
        ArgumentNullException.ThrowIfNull(payments);
        if (payments.Count == 0)
        {
            return BuildResult.Refused(BuildResult.InvalidAmount, "At least one payment is needed.");
        }

        if (payments.FirstOrDefault(p => p.Amount.Units <= 0 || p.Amount > Amount.MaxMoney) is { } bad)
        {
            return BuildResult.Refused(BuildResult.InvalidAmount, $"A payment must be more than 0 and at most {Amount.MaxMoney}; got {bad.Amount}.");
        }

        if (fee.Units < 0 || fee > Amount.MaxMoney)
        {
            return BuildResult.Refused(BuildResult.InvalidFee, $"The fee must be from 0 to {Amount.MaxMoney}; got {fee}.");
        }

        // Each term is at most MaxMoney, so the decimal sum cannot overflow.
        var target = payments.Sum(p => (decimal)p.Amount.Units) + fee.Units;
        if (target > Amount.MaxMoney.Units)
        {
            return BuildResult.Refused(BuildResult.InvalidAmount, "The payments and fee add up to more than the maximum money.");
        }

        var needed = new Amount((long)target);
        var selected = Select(coins, needed);
        if (selected is null)
        {
            var available = coins.Aggregate(Amount.Zero, (sum, c) => sum + c.Value);
            return BuildResult.Refused(BuildResult.InsufficientFunds, $"Insufficient funds: {needed} needed (payments and fee), {available} available.");
        }

        var total = selected.Aggregate(Amount.Zero, (sum, c) => sum + c.Value);
        var change = total - needed;
        var sender = key.PublicKey.ToAddress();
        var outputs = payments.Select(p => new TxOut(p.Amount, [.. p.To.PublicKeyHash])).ToList();
        if (change.Units > 0)
        {
            outputs.Add(new TxOut(change, [.. sender.PublicKeyHash]));
        }

        var publicKey = key.PublicKey.ToBytes().ToImmutableArray();
        var unsigned = new Transaction(
            [.. selected.Select(c => new TxIn(c.OutPoint, [], publicKey))],
            [.. outputs]);
        return new BuildResult(Sign(unsigned, key), null, "Built.", fee);
    }

    /// <summary>Signs every input with <paramref name="key"/>; the inputs already carry its public key, which the signature hash covers.</summary>
    public static Transaction Sign(Transaction unsigned, PrivateKey key)
    {
        ArgumentNullException.ThrowIfNull(unsigned);
        ArgumentNullException.ThrowIfNull(key);
        var inputs = unsigned.Inputs.Select((input, i) => input.WithSignature(key.Sign(unsigned.SignatureHash(i).ToBytes())));
        return unsigned.WithInputs([.. inputs]);
    }

    private static List<SpendableCoin>? Select(IReadOnlyList<SpendableCoin> coins, Amount needed)
    {
        var ordered = coins
            .OrderByDescending(c => c.Confirmed)
            .ThenByDescending(c => c.Value.Units)
            .ThenBy(c => c.OutPoint.TxId)
            .ThenBy(c => c.OutPoint.Index)
            .ToList();
        if (ordered.FirstOrDefault(c => c.Value == needed) is { } exact)
        {
            return [exact];
        }

        var selected = new List<SpendableCoin>();
        var total = Amount.Zero;
        foreach (var coin in ordered)
        {
            selected.Add(coin);
            total += coin.Value;
            if (total >= needed)
            {
                return selected;
            }
        }

        return null;
    }
}
