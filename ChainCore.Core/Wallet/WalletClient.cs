using ChainCore.Core.Api;
using ChainCore.Core.Crypto;
using ChainCore.Core.Primitives;

namespace ChainCore.Core.Wallet;

/// <summary>
/// A wallet talking to a node: balance, and payments built and signed locally (the private key
/// never leaves this object). A refusal, insufficient funds included, is a result, not an exception.
/// </summary>
public sealed class WalletClient(NodeClient node, PrivateKey key)
{
    public Address Address { get; } = key.PublicKey.ToAddress();

    /// <summary>What the wallet can spend: confirmed plus what its pending transactions add or take.</summary>
    public async Task<Amount> GetBalanceAsync(CancellationToken ct = default)
    {
        var balance = await node.GetBalanceAsync(Address.ToString(), ct);
        return Amount.FromCoins(balance.Total);
    }

    public Task<BalanceResponse> GetBalanceDetailsAsync(CancellationToken ct = default) => node.GetBalanceAsync(Address.ToString(), ct);

    public Task<AddressHistoryResponse> GetHistoryAsync(CancellationToken ct = default) => node.GetHistoryAsync(Address.ToString(), ct);

    public Task<SubmitResult> SendTransactionAsync(Address to, Amount amount, Amount fee, CancellationToken ct = default) =>
        SendTransactionAsync([new Payment(to, amount)], fee, ct);

    public async Task<SubmitResult> SendTransactionAsync(IReadOnlyList<Payment> payments, Amount fee, CancellationToken ct = default)
    {
        var utxos = await node.GetUtxosAsync(Address.ToString(), ct);
        var built = TransactionBuilder.Build(key, SpendableCoins(utxos), payments, fee);
        if (!built.Success)
        {
            var immature = utxos.Utxos.Where(u => !u.Spendable).ToList();
            var message = built.Error == BuildResult.InsufficientFunds && immature.Count > 0
                ? $"{built.Message} A further {immature.Aggregate(Amount.Zero, (sum, u) => sum + Amount.FromCoins(u.Value))} is immature coinbase; the first of it becomes spendable at height {immature.Min(u => u.MatureAtHeight ?? utxos.TipHeight)}."
                : built.Message;
            return SubmitResult.Refused(built.Error!, message);
        }

        return await node.SubmitTransactionAsync(built.Transaction!, ct);
    }

    /// <summary>
    /// The outputs coin selection may use: those the node says can be spent now. Immature coinbase
    /// outputs are left out (the node would refuse them); the node already leaves out outputs its
    /// mempool spends, the wallet's own pending payments included.
    /// </summary>
    public static IReadOnlyList<SpendableCoin> SpendableCoins(AddressUtxosResponse utxos)
    {
        ArgumentNullException.ThrowIfNull(utxos);
        return [.. utxos.Utxos
            .Where(u => u.Spendable)
            .Select(u => new SpendableCoin(new OutPoint(Hash256.Parse(u.TxId), u.Index), Amount.FromCoins(u.Value), u.Confirmed))];
    }
}
