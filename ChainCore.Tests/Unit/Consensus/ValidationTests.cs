using System.Collections.Immutable;
using System.Reflection;
using ChainCore.Core.Consensus;
using ChainCore.Core.Crypto;
using ChainCore.Core.Primitives;
using ChainCore.Core.Wallet;
using ChainCore.Tests.Fixtures;
using ChainCore.Tests.Harness;

namespace ChainCore.Tests.Unit.Consensus;

/// <summary>Every consensus rule refuses with its own code; valid data passes.</summary>
[TestFixture, Category("Unit")]
public sealed class ValidationTests
{
    private static readonly ConsensusParams P = ConsensusParams.Regtest with { CoinbaseMaturity = 10 };
    private static readonly PrivateKey Alice = TestData.AliceKey;
    private static readonly PrivateKey Bob = PrivateKey.FromHex("0000000000000000000000000000000000000000000000000000000000000b0b");
    private static readonly OutPoint AliceCoin = new(Hash256.Compute("funding"u8), 0);
    private static readonly OutPoint AliceCoinbase = new(Hash256.Compute("coinbase"u8), 0);
    private static readonly OutPoint AliceHuge = new(Hash256.Compute("huge"u8), 0);
    private static readonly Amount Fee = new(10_000);
    private const int Height = 20;

    private static readonly DictionaryUtxoView View = new(new Dictionary<OutPoint, Coin>
    {
        [AliceCoin] = new(TestData.Pay(Alice, Amount.FromCoins(10)), 1, false),
        [AliceCoinbase] = new(TestData.Pay(Alice, Amount.FromCoins(50)), Height - 3, true),
        [AliceHuge] = new(TestData.Pay(Alice, new Amount(long.MaxValue)), 1, false),
    });

    private static Transaction Payment(Amount? amount = null, PrivateKey? signer = null, OutPoint? coin = null) =>
        TestData.Spend(signer ?? Alice, [coin ?? AliceCoin], [TestData.Pay(Bob, amount ?? Amount.FromCoins(10) - Fee)]);

    private static Block BlockOf(params Transaction[] transactions) =>
        BlockWithCoinbase(Subsidy.ForHeight(Height, P) + new Amount(Fee.Units * transactions.Length), Height, transactions);

    private static Block BlockWithCoinbase(Amount value, int height, params Transaction[] transactions) =>
        TestData.MineBlock(Hash256.Compute("parent"u8), height, 1_000, transactions, value, P);

    private static ValidationResult Check(Transaction tx) => TransactionValidator.CheckTransaction(tx, P);

    private static ValidationResult Inputs(Transaction tx, int spendHeight = Height) => TransactionValidator.CheckInputs(tx, View, spendHeight, P, out _);

    private static ValidationResult Connect(Block block, int height = Height) =>
        BlockValidator.ConnectBlock(block, height, View, P, out _);

    private static Transaction Unsigned(ImmutableArray<TxIn> inputs, ImmutableArray<TxOut> outputs) => new(inputs, outputs);

    private static TxIn Input(OutPoint coin) => new(coin, [1], [.. Alice.PublicKey.ToBytes()]);

    private static Block Solve(BlockHeader header, ImmutableArray<Transaction> transactions) =>
        ChainCore.Core.Mining.BlockSolver.Solve(new Block(header, transactions), P, CancellationToken.None);

    public static IEnumerable<TestCaseData> Refusals()
    {
        TestCaseData Case(string code, Func<ValidationResult> check, string name) => new TestCaseData(code, check).SetName($"{code}: {name}");

        yield return Case(RejectCodes.NoInputs, () => Check(Unsigned([], [TestData.Pay(Bob, Fee)])), "no inputs");
        yield return Case(RejectCodes.NoOutputs, () => Check(Unsigned([Input(AliceCoin)], [])), "no outputs");
        yield return Case(RejectCodes.TxOversize, () => Check(Unsigned([Input(AliceCoin)], [.. Enumerable.Repeat(TestData.Pay(Bob, Fee), 40_000)])), "more bytes than a block");
        yield return Case(RejectCodes.OutputNegative, () => Check(Unsigned([Input(AliceCoin)], [TestData.Pay(Bob, new Amount(-1))])), "negative output");
        yield return Case(RejectCodes.OutputNegative, () => BlockValidator.CheckBlock(WithTransactions(Coinbase.Create(Height, new byte[20], new Amount(-1))), P), "negative coinbase output");
        yield return Case(RejectCodes.OutputTooLarge, () => Check(Unsigned([Input(AliceCoin)], [TestData.Pay(Bob, Amount.MaxMoney + new Amount(1))])), "output above max money");
        yield return Case(RejectCodes.OutputsOverflow, () => Check(Unsigned([Input(AliceCoin)], [TestData.Pay(Bob, Amount.MaxMoney), TestData.Pay(Bob, new Amount(1))])), "outputs add up above max money");
        yield return Case(RejectCodes.DuplicateInputs, () => Check(Unsigned([Input(AliceCoin), Input(AliceCoin)], [TestData.Pay(Bob, Fee)])), "same outpoint twice");
        yield return Case(RejectCodes.BadCoinbaseLength, () => Check(Unsigned([new TxIn(OutPoint.Null, [1], [])], [TestData.Pay(Bob, Fee)])), "one byte of coinbase data");
        yield return Case(RejectCodes.BadCoinbaseLength, () => Check(Unsigned([new TxIn(OutPoint.Null, [.. new byte[101]], [])], [TestData.Pay(Bob, Fee)])), "101 bytes of coinbase data");
        yield return Case(RejectCodes.NullInput, () => Check(Unsigned([Input(AliceCoin), new TxIn(OutPoint.Null, [1], [.. Alice.PublicKey.ToBytes()])], [TestData.Pay(Bob, Fee)])), "null outpoint outside a coinbase");
        yield return Case(RejectCodes.Malformed, () => Check(Unsigned([new TxIn(AliceCoin, [1], [1, 2, 3])], [TestData.Pay(Bob, Fee)])), "public key of 3 bytes");
        yield return Case(RejectCodes.UncompressedPublicKey, () => Check(UncompressedKeySpend()), "uncompressed public key, correctly signed");
        yield return Case(RejectCodes.UncompressedPublicKey, () => BlockValidator.CheckBlock(BlockOf(UncompressedKeySpend()), P), "uncompressed public key inside a block");
        yield return Case(RejectCodes.Malformed, () => Check(Unsigned([new TxIn(AliceCoin, [.. new byte[74]], [.. Alice.PublicKey.ToBytes()])], [TestData.Pay(Bob, Fee)])), "signature of 74 bytes");
        yield return Case(RejectCodes.MissingInputs, () => Inputs(Payment(coin: new OutPoint(AliceCoin.TxId, 7))), "unknown output");
        yield return Case(RejectCodes.ImmatureCoinbase, () => Inputs(Payment(Amount.FromCoins(50) - Fee, coin: AliceCoinbase)), "coinbase 3 blocks old, maturity 10");
        yield return Case(RejectCodes.PublicKeyMismatch, () => Inputs(Payment(signer: Bob)), "Bob signs for Alice's coin");
        yield return Case(RejectCodes.BadSignature, () => Inputs(Payment().WithInputs([Payment().Inputs[0].WithSignature(Alice.Sign(Hash256.Compute("other"u8).ToBytes()))])), "signature over another hash");
        yield return Case(RejectCodes.BadSignature, () => Inputs(Payment().WithInputs([Payment().Inputs[0].WithSignature([0x30, 0x01])])), "signature not DER");
        yield return Case(RejectCodes.BadSignature, () => TransactionValidator.CheckSignature(OffCurveKeySpend(), 0), "a compressed key that is not a point on the curve");
        yield return Case(RejectCodes.InputsBelowOutputs, () => Inputs(Payment(Amount.FromCoins(11))), "spends more than it has");
        yield return Case(RejectCodes.InputsOverflow, () => Inputs(TestData.Spend(Alice, [AliceHuge], [TestData.Pay(Bob, Fee)])), "input above max money");
        yield return Case(RejectCodes.BadPow, () => BlockValidator.CheckBlock(BlockOf().WithHeader(BlockOf().Header with { Bits = 0x1d00ffff }), P), "bits above the pow limit");
        yield return Case(RejectCodes.BadPow, () => BlockValidator.CheckBlock(UnsolvedBlock(), P), "hash above the target");
        yield return Case(RejectCodes.NoCoinbase, () => BlockValidator.CheckBlock(Solve(new BlockHeader(1, Hash256.Zero, Hash256.Zero, 1, P.PowLimitBits, 0), []), P), "no transactions");
        yield return Case(RejectCodes.BadMerkleRoot, () => BlockValidator.CheckBlock(Solve(BlockOf().Header with { MerkleRoot = Hash256.Compute("x"u8) }, BlockOf().Transactions), P), "merkle root of other transactions");
        yield return Case(RejectCodes.MutatedMerkle, () => BlockValidator.CheckBlock(Mutated(), P), "last transaction repeated");
        yield return Case(RejectCodes.BlockOversize, () => BlockValidator.CheckBlock(BlockOf(), P with { MaxBlockSize = 100 }), "block above the size limit");
        yield return Case(RejectCodes.NoCoinbase, () => BlockValidator.CheckBlock(WithTransactions(Payment()), P), "first transaction not a coinbase");
        yield return Case(RejectCodes.MultipleCoinbase, () => BlockValidator.CheckBlock(WithTransactions(Coinbase.Create(Height, new byte[20], Fee), Coinbase.Create(Height + 1, new byte[20], Fee)), P), "two coinbases");
        yield return Case(RejectCodes.OutputTooLarge, () => BlockValidator.CheckBlock(WithTransactions(Coinbase.Create(Height, new byte[20], Amount.MaxMoney + new Amount(1))), P), "a block's transaction fails its own checks");
        yield return Case(RejectCodes.DuplicateTransactions, () => BlockValidator.CheckBlock(WithTransactions(Coinbase.Create(Height, new byte[20], Fee), Payment(), SpendOf(Payment()), Payment()), P), "same transaction at two places");
        yield return Case(RejectCodes.BadCoinbaseHeight, () => Connect(BlockOf(), Height + 1), "coinbase for another height");
        yield return Case(RejectCodes.BadCoinbaseAmount, () => Connect(BlockWithCoinbase(Subsidy.ForHeight(Height, P) + Fee + new Amount(1), Height, Payment())), "coinbase takes one unit too much");
        yield return Case(RejectCodes.DoubleSpend, () => Connect(BlockOf(Payment(), Payment(Amount.FromCoins(9)))), "two transactions spend one output");
        yield return Case(RejectCodes.MissingInputs, () => Connect(BlockOf(SpendOf(Payment()), Payment())), "spends an output of a later transaction");
        yield return Case(RejectCodes.BadSignature, () => Connect(BlockOf(Payment().WithInputs([Payment().Inputs[0].WithSignature(Alice.Sign(new byte[32]))]))), "bad signature inside a block");
        yield return Case(RejectCodes.BadDifficultyBits, () => BlockValidator.ContextualCheckHeader(BlockOf().Header with { Bits = 0x207ffffe }, Context(), Now, P), "bits not the required ones");
        yield return Case(RejectCodes.TimeTooOld, () => BlockValidator.ContextualCheckHeader(BlockOf().Header with { Time = 1_000 }, Context(mtp: 1_000), Now, P), "time not after the median time past");
        yield return Case(RejectCodes.TimeTooNew, () => BlockValidator.ContextualCheckHeader(BlockOf().Header with { Time = (uint)Now.ToUnixTimeSeconds() + 7201 }, Context(), Now, P), "more than two hours ahead");
    }

    [Test]
    public void A_block_from_the_future_is_premature_not_invalid()
    {
        // A peer whose clock runs ahead sends such blocks in good faith: no ban, and it may be valid later.
        var header = BlockOf().Header with { Time = (uint)Now.ToUnixTimeSeconds() + 7201 };

        var result = BlockValidator.ContextualCheckHeader(header, Context(), Now, P);

        result.Code.ShouldBe(RejectCodes.TimeTooNew);
        result.Category.ShouldBe(ValidationCategory.Premature);
        BlockValidator.ContextualCheckHeader(header, Context(), Now.AddSeconds(1), P).IsValid.ShouldBeTrue();
    }

    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);

    private static ChainContext Context(long mtp = 500) => new(Height - 1, P.PowLimitBits, mtp, _ => 0);

    private static Block UnsolvedBlock()
    {
        var block = BlockOf();
        for (var nonce = 0u; ; nonce++)
        {
            var candidate = block.WithHeader(block.Header with { Nonce = nonce });
            if (!Target.CheckProofOfWork(candidate.Hash, candidate.Header.Bits, P))
            {
                return candidate;
            }
        }
    }

    private static Block WithTransactions(params Transaction[] transactions)
    {
        var all = transactions.ToImmutableArray();
        return Solve(new BlockHeader(1, Hash256.Zero, MerkleTree.ComputeRoot(all), 1_000, P.PowLimitBits, 0), all);
    }

    private static Block Mutated()
    {
        var honest = BlockOf(Payment(), SpendOf(Payment()));
        var repeated = honest.Transactions.Add(honest.Transactions[^1]);
        return Solve(honest.Header, repeated);
    }

    /// <summary>Alice spends a coin paid to the hash of her uncompressed key, signing correctly and showing that key.</summary>
    private static Transaction UncompressedKeySpend()
    {
        var uncompressed = Alice.PublicKey.ToUncompressedBytes();
        var coin = new OutPoint(Hash256.Compute("uncompressed"u8), 0);
        var unsigned = new Transaction([new TxIn(coin, [], [.. uncompressed])], [TestData.Pay(Bob, Amount.FromCoins(1))]);
        return TransactionBuilder.Sign(unsigned, Alice);
    }

    /// <summary>A spend whose 33-byte key has an x coordinate above the field prime: no point has it.</summary>
    private static Transaction OffCurveKeySpend() =>
        Payment().WithInputs([new TxIn(AliceCoin, Payment().Inputs[0].Signature, [0x02, .. Enumerable.Repeat((byte)0xFF, 32)])]);

    private static DictionaryUtxoView UncompressedKeyView() => new(new Dictionary<OutPoint, Coin>
    {
        [UncompressedKeySpend().Inputs[0].PreviousOutput] = new(new TxOut(Amount.FromCoins(2), [.. Hashes.Hash160(Alice.PublicKey.ToUncompressedBytes())]), 1, false),
    });

    private static Transaction SpendOf(Transaction parent) =>
        TestData.Spend(Bob, [new OutPoint(parent.TxId, 0)], [TestData.Pay(Alice, parent.Outputs[0].Value - Fee)]);

    [TestCaseSource(nameof(Refusals))]
    public void Rule_refuses_with_its_code(string code, Func<ValidationResult> check)
    {
        var result = check();

        result.IsValid.ShouldBeFalse();
        result.Code.ShouldBe(code);
        result.Message.ShouldNotBeNullOrWhiteSpace();
    }

    [Test]
    public void Every_consensus_reason_code_has_a_refusal_case()
    {
        // Policy and node codes are reached by the integration tests: OutputNotPositive, FeeTooLow, MempoolFull, MempoolMinFeeNotMet and
        // AlreadyKnown (mempool; TxSize and TooLongMempoolChain in the pool's tests), UnexpectedCoinbase, DuplicateBlock, BadPrevBlock and LowWork (node), InvalidAddress (API).
        string[] reachedElsewhere = [RejectCodes.OutputNotPositive, RejectCodes.FeeTooLow, RejectCodes.MempoolFull, RejectCodes.MempoolMinFeeNotMet, RejectCodes.AlreadyKnown, RejectCodes.TxSize, RejectCodes.TooLongMempoolChain, RejectCodes.UnexpectedCoinbase, RejectCodes.DuplicateBlock, RejectCodes.BadPrevBlock, RejectCodes.LowWork, RejectCodes.InvalidAddress];
        var all = typeof(RejectCodes).GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (string)f.GetValue(null)!).ToHashSet();
        var covered = Refusals().Select(c => (string)c.Arguments[0]!).ToHashSet();

        all.Except(covered).Except(reachedElsewhere).ShouldBeEmpty();
    }

    [Test]
    public void A_valid_block_connects_with_undo_data_in_input_order_and_fees_in_the_coinbase()
    {
        var payment = Payment();
        var child = SpendOf(payment);
        var block = BlockWithCoinbase(Subsidy.ForHeight(Height, P) + Fee + Fee, Height, payment, child);

        BlockValidator.CheckBlock(block, P).ShouldBe(ValidationResult.Ok);
        var result = BlockValidator.ConnectBlock(block, Height, View, P, out var undo);

        result.ShouldBe(ValidationResult.Ok);
        undo.SpentCoins.Select(s => s.OutPoint).ShouldBe([AliceCoin, new OutPoint(payment.TxId, 0)]);
        undo.SpentCoins[0].Coin.Output.Value.ShouldBe(Amount.FromCoins(10));
        TransactionValidator.CheckInputs(payment, View, Height, P, out var fee).IsValid.ShouldBeTrue();
        fee.ShouldBe(Fee);
        BlockValidator.ContextualCheckHeader(block.Header, Context(), Now, P).ShouldBe(ValidationResult.Ok);
        Inputs(Payment(Amount.FromCoins(50) - Fee, coin: AliceCoinbase), spendHeight: Height + 7).ShouldBe(ValidationResult.Ok);
    }

    [Test]
    public void An_uncompressed_key_spend_is_refused_only_for_its_key_form()
    {
        // Everything else about the spend is right: the key hashes to the coin's address and the signature verifies.
        var tx = UncompressedKeySpend();

        TransactionValidator.CheckInputs(tx, UncompressedKeyView(), Height, P, out _).ShouldBe(ValidationResult.Ok);
        var result = Check(tx);

        result.Code.ShouldBe(RejectCodes.UncompressedPublicKey);
        result.Category.ShouldBe(ValidationCategory.Invalid);
    }

    [Test]
    public void Zero_value_outputs_are_valid_by_consensus()
    {
        Check(Unsigned([Input(AliceCoin)], [TestData.Pay(Bob, Amount.Zero)])).ShouldBe(ValidationResult.Ok);
        Check(Unsigned([Input(AliceCoin)], [TestData.Pay(Bob, Amount.MaxMoney)])).ShouldBe(ValidationResult.Ok);
        BlockValidator.CheckBlock(WithTransactions(Coinbase.Create(Height, new byte[20], Amount.Zero)), P).ShouldBe(ValidationResult.Ok);
    }

    [Test]
    public void Changing_any_byte_of_a_signed_transaction_makes_it_invalid()
    {
        var bytes = Payment().Serialize();
        for (var i = 0; i < bytes.Length; i++)
        {
            var tampered = (byte[])bytes.Clone();
            tampered[i] ^= 0x01;
            Transaction tx;
            try
            {
                tx = Transaction.Parse(tampered);
            }
            catch (FormatException)
            {
                continue;
            }

            var check = Check(tx);
            var valid = check.IsValid && Inputs(tx).IsValid;
            valid.ShouldBeFalse($"byte {i} changed and the transaction still validates");
        }
    }

    [Test]
    public void Changing_any_byte_of_a_block_header_breaks_its_proof_of_work_link_or_merkle_root()
    {
        var block = BlockOf(Payment());
        var header = block.Header.Serialize();
        var context = Context();
        for (var i = 0; i < header.Length; i++)
        {
            var tampered = (byte[])header.Clone();
            tampered[i] ^= 0x01;
            var changed = new Block(BlockHeader.Parse(tampered), block.Transactions);
            var linked = changed.Header.PreviousHash == block.Header.PreviousHash;
            var valid = linked && BlockValidator.CheckBlock(changed, P).IsValid && BlockValidator.ContextualCheckHeader(changed.Header, context, Now, P).IsValid && changed.Hash == block.Hash;
            valid.ShouldBeFalse($"header byte {i}");
        }
    }

    [Test]
    public void Random_chains_of_signed_spends_connect_and_undo_restores_the_view()
    {
        var random = TestSeed.NewRandom(2026);
        for (var round = 0; round < 20; round++)
        {
            var keys = Enumerable.Range(0, 4).Select(_ => TestData.RandomKey(random)).ToArray();
            var coins = new Dictionary<OutPoint, Coin>();
            var owners = new Dictionary<OutPoint, PrivateKey>();
            for (var i = 0; i < 6; i++)
            {
                var outPoint = new OutPoint(TestData.RandomHash(random), (uint)i);
                var owner = keys[random.Next(keys.Length)];
                coins[outPoint] = new Coin(TestData.Pay(owner, new Amount(random.NextInt64(100_000, 5_000_000_000))), 1, false);
                owners[outPoint] = owner;
            }

            var cache = new UtxoCache(new DictionaryUtxoView(coins));
            var transactions = new List<Transaction>();
            var fees = Amount.Zero;
            var spendable = coins.Keys.ToList();
            for (var t = 0; t < 8 && spendable.Count > 0; t++)
            {
                var spent = spendable[random.Next(spendable.Count)];
                spendable.Remove(spent);
                var value = cache.GetCoin(spent)!.Output.Value;
                var fee = new Amount(random.Next(0, 1_000));
                var to = keys[random.Next(keys.Length)];
                var tx = TestData.Spend(owners[spent], [spent], [TestData.Pay(to, value - fee)]);
                cache.Spend(spent);
                cache.AddOutputs(tx, Height);
                var created = new OutPoint(tx.TxId, 0);
                owners[created] = to;
                spendable.Add(created);
                transactions.Add(tx);
                fees += fee;
            }

            var block = BlockWithCoinbase(Subsidy.ForHeight(Height, P) + fees, Height, [.. transactions]);
            BlockValidator.CheckBlock(block, P).ShouldBe(ValidationResult.Ok);
            BlockValidator.ConnectBlock(block, Height, new DictionaryUtxoView(coins), P, out var undo).ShouldBe(ValidationResult.Ok, $"round {round}");
            undo.SpentCoins.Length.ShouldBe(transactions.Count);
            undo.SpentCoins.Where(s => coins.ContainsKey(s.OutPoint)).ShouldAllBe(s => coins[s.OutPoint] == s.Coin);
        }
    }
}
