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
        var coins = utxos.Utxos.Select(u => new SpendableCoin(new OutPoint(Hash256.Parse(u.TxId), u.Index), Amount.FromCoins(u.Value), u.Confirmed)).ToList();
        var built = TransactionBuilder.Build(key, coins, payments, fee);
        if (!built.Success)
        {
            return SubmitResult.Refused(built.Error!, built.Message);
        }

        return await node.SubmitTransactionAsync(built.Transaction!, ct);
    }
}
