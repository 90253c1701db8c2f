using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using ChainCore.Core.Api;
using ChainCore.Core.Consensus;
using ChainCore.Core.Crypto;
using ChainCore.Core.Primitives;
using ChainCore.Core.Serialization;
using ChainCore.Core.Wallet;
using ChainCore.Node.Network;

namespace ChainCore.Fuzz;

/// <summary>
/// The first inputs of each target, built from real protocol objects: genesis blocks, a mined
/// regtest block holding signed spends, Bitcoin's genesis header, addresses, and the API's text and
/// JSON forms of them. Deterministic (fixed keys, RFC 6979 signatures), so rewriting them changes nothing.
/// </summary>
public static class SeedCorpus
{
    public static IReadOnlyDictionary<string, IReadOnlyList<KeyValuePair<string, byte[]>>> Build()
    {
        var alice = PrivateKey.FromBytes(Enumerable.Repeat((byte)0x11, 32).ToArray());
        var bob = PrivateKey.FromBytes(Enumerable.Repeat((byte)0x22, 32).ToArray());
        var coinbase = Coinbase.Create(1, alice.PublicKey.ToAddress().PublicKeyHash, Amount.FromCoins(50));
        var spend = Spend(alice, [new OutPoint(coinbase.TxId, 0)], [Pay(bob, Amount.FromCoins(20)), Pay(alice, Amount.FromCoins(29))]);
        var merge = Spend(bob, [new OutPoint(spend.TxId, 0), new OutPoint(coinbase.TxId, 7)], [Pay(alice, new Amount(1))]);
        var block = Mine(ConsensusParams.Regtest.GenesisHash, [coinbase, spend, merge]);
        var genesis = ConsensusParams.Regtest.Genesis;
        var session = Hex.Encode(Enumerable.Range(0, 32).Select(i => (byte)(i * 7)).ToArray());
        var bitcoinGenesisHeader = Hex.Decode(
            "0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c");

        return new Dictionary<string, IReadOnlyList<KeyValuePair<string, byte[]>>>
        {
            ["Block.Parse"] =
            [
                new("regtest-genesis", ConsensusParams.Regtest.Genesis.Serialize()),
                new("main-genesis", ConsensusParams.Main.Genesis.Serialize()),
                new("regtest-block-with-spends", block.Serialize()),
            ],
            ["Transaction.Parse"] =
            [
                new("coinbase", coinbase.Serialize()),
                new("spend-one-input-two-outputs", spend.Serialize()),
                new("spend-two-inputs-one-output", merge.Serialize()),
            ],
            ["BlockHeader.Parse"] =
            [
                new("bitcoin-genesis", bitcoinGenesisHeader),
                new("regtest-genesis", ConsensusParams.Regtest.Genesis.Header.Serialize()),
                new("regtest-block", block.Header.Serialize()),
            ],
            ["RequestParser.ParseBlockHex"] =
            [
                new("regtest-genesis", Text(ConsensusParams.Regtest.Genesis.ToHex() + "\n")),
                new("regtest-block-with-spends", Text(block.ToHex())),
            ],
            ["RequestParser.ParseTransactionHex"] =
            [
                new("coinbase", Text(coinbase.ToHex() + "\n")),
                new("spend", Text(spend.ToHex().ToUpperInvariant())),
            ],
            ["RequestParser.ParseTransaction"] =
            [
                new("hex", Text($"{{\"hex\":\"{merge.ToHex()}\"}}")),
                new("fields", Text(FieldsJson(spend))),
                new("fields-fractional-amount", Text(
                    $"{{\"version\":2,\"lock_time\":7,\"inputs\":[],\"outputs\":[{{\"address\":\"{bob.PublicKey.ToAddress()}\",\"amount\":0.00000001}}]}}")),
            ],
            ["RequestParser.ParseAddress"] =
            [
                new("alice", Text(alice.PublicKey.ToAddress().ToString())),
                new("all-zero-key-hash", Text(Address.FromPublicKeyHash(new byte[20]).ToString())),
            ],
            ["PeerWire.ParseHeadersAnswer"] =
            [
                new("two-headers", Json(new HeadersResponse(2, [HeaderHex(genesis.Header), HeaderHex(block.Header)]))),
                new("no-headers", Json(new HeadersResponse(0, []))),
            ],
            ["PeerWire.ParseHello"] =
            [
                new("hello", Json(new PeerHello("node-0", "http://127.0.0.1:18444", "regtest", genesis.Hash.ToString(), 1, block.Hash.ToString(), session))),
                new("hello-without-tip", Json(new PeerHello("node-1", "https://[::1]:8443", "regtest", genesis.Hash.ToString()))),
            ],
            ["PeerWire.ParseWelcome"] =
            [
                new("welcome", Json(new PeerWelcome("node-1", "http://127.0.0.1:18445", "regtest", genesis.Hash.ToString(), 1, block.Hash.ToString(), session))),
            ],
            ["PeerWire.ParseConfirmation"] =
            [
                new("confirmation", Json(new PeerConfirmation(session))),
            ],
            ["PeerWire.ParseLocator"] =
            [
                new("tip-and-genesis", Text($"{block.Hash},{genesis.Hash}")),
                new("genesis", Text(genesis.Hash.ToString())),
            ],
            ["PeerWire.ParseAnnouncement"] =
            [
                new("header-and-txids", Json(new InventoryMessage([HeaderHex(block.Header)], [spend.TxId.ToString(), merge.TxId.ToString()]))),
                new("txid-only", Json(new InventoryMessage(null, [coinbase.TxId.ToString()]))),
            ],
            ["PeerWire.ParseAddresses"] =
            [
                new("addresses", Json(new AddressesResponse(2, ["http://127.0.0.1:18444", "https://203.0.113.7:8443"]))),
            ],
            ["PeerWire.ParseProblem"] =
            [
                new("bad-pow", Text(
                    "{\"type\":\"https://tools.ietf.org/html/rfc9110#section-15.5.1\",\"title\":\"Bad Request\",\"status\":400,"
                    + $"\"detail\":\"The block hash {block.Hash} does not meet its target.\",\"code\":\"bad-pow\"}}")),
                new("no-detail", Text("{\"status\":401,\"code\":\"no-session\"}")),
            ],
            ["PeerWire.ParseBlockHex"] =
            [
                new("regtest-block-with-spends", Text(block.ToHex())),
            ],
            ["PeerWire.ParseTransactionHex"] =
            [
                new("spend", Text(spend.ToHex() + "\n")),
            ],
        };
    }

    /// <summary>Writes every seed to <paramref name="root"/>/TARGET/NAME, leaving other files there alone.</summary>
    public static void Write(string root)
    {
        foreach (var (target, seeds) in Build())
        {
            var folder = Path.Combine(root, target);
            Directory.CreateDirectory(folder);
            foreach (var (name, bytes) in seeds)
            {
                File.WriteAllBytes(Path.Combine(folder, "seed-" + name), bytes);
            }
        }
    }

    private static Transaction Spend(PrivateKey key, IEnumerable<OutPoint> coins, IEnumerable<TxOut> outputs)
    {
        var publicKey = key.PublicKey.ToBytes().ToImmutableArray();
        return TransactionBuilder.Sign(new Transaction([.. coins.Select(c => new TxIn(c, [], publicKey))], [.. outputs]), key);
    }

    private static TxOut Pay(PrivateKey key, Amount amount) => new(amount, [.. key.PublicKey.ToAddress().PublicKeyHash]);

    // Solved for regtest, so the context-free checks after the parse run past proof of work.
    private static Block Mine(Hash256 previous, ImmutableArray<Transaction> transactions)
    {
        var header = new BlockHeader(1, previous, MerkleTree.ComputeRoot(transactions), ConsensusParams.Regtest.Genesis.Header.Time + 600, 0x207fffff, 0);
        while (!Target.CheckProofOfWork(header.GetHash(), header.Bits, ConsensusParams.Regtest))
        {
            header = header with { Nonce = header.Nonce + 1 };
        }

        return new Block(header, transactions);
    }

    private static string FieldsJson(Transaction tx)
    {
        var inputs = tx.Inputs.Select(i =>
            $"{{\"txid\":\"{i.PreviousOutput.TxId}\",\"index\":{i.PreviousOutput.Index},\"signature\":\"{Hex.Encode(i.Signature.AsSpan())}\",\"public_key\":\"{Hex.Encode(i.PublicKey.AsSpan())}\"}}");
        var outputs = tx.Outputs.Select(o =>
            $"{{\"address\":\"{Address.FromPublicKeyHash(o.PublicKeyHash.AsSpan())}\",\"amount\":{o.Value.ToCoins().ToString(System.Globalization.CultureInfo.InvariantCulture)}}}");
        return $"{{\"inputs\":[{string.Join(',', inputs)}],\"outputs\":[{string.Join(',', outputs)}]}}";
    }

    private static byte[] Text(string text) => Encoding.UTF8.GetBytes(text);

    // As the node writes them: the API's one JSON convention.
    private static byte[] Json<T>(T message) => JsonSerializer.SerializeToUtf8Bytes(message, ApiJson.Options);

    private static string HeaderHex(BlockHeader header) => Hex.Encode(header.Serialize());
}
