using System.Collections.Immutable;
using ChainCore.Core.Consensus;
using ChainCore.Core.Crypto;
using ChainCore.Core.Primitives;
using ChainCore.Tests.Fixtures;

namespace ChainCore.Tests.Unit.Crypto;

/// <summary>The node's signature checks: a block's inputs in parallel with a deterministic verdict, and the cache that spares re-verifying mempool transactions.</summary>
[TestFixture, Category("Unit"), Category("Crypto")]
public sealed class SignatureVerifierTests
{
    private static readonly PrivateKey Alice = TestData.AliceKey;

    [Test]
    public void A_block_reports_its_first_bad_input_in_block_order_whatever_the_threads_do()
    {
        var transactions = Payments(200);
        transactions[150] = Forge(transactions[150]);
        transactions[40] = Forge(transactions[40]);
        var block = Block(transactions);
        var verifier = new SignatureVerifier(maxDegreeOfParallelism: 2);

        for (var run = 0; run < 20; run++)
        {
            var result = verifier.CheckBlock(block);

            result.Code.ShouldBe(RejectCodes.BadSignature);
            result.Message.ShouldStartWith(transactions[40].TxId.ToString(), customMessage: $"run {run}");
        }

        new SignatureVerifier(maxDegreeOfParallelism: 1).CheckBlock(block).ShouldBe(verifier.CheckBlock(block));
    }

    [TestCase(1), TestCase(2)]
    public void Checking_a_block_whose_result_is_no_longer_wanted_stops_with_a_cancellation(int threads)
    {
        var block = Block(Payments(100));
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Should.Throw<OperationCanceledException>(() => new SignatureVerifier(maxDegreeOfParallelism: threads).CheckBlock(block, cancelled.Token));
    }

    [TestCase(1), TestCase(2), TestCase(4)]
    public void A_check_started_ahead_and_joined_later_gives_the_same_verdict(int threads)
    {
        var transactions = Payments(200);
        transactions[120] = Forge(transactions[120]);
        transactions[60] = Forge(transactions[60]);
        var verifier = new SignatureVerifier(maxDegreeOfParallelism: threads);

        // Both under way at once, on their own threads, before either is joined.
        using var bad = verifier.StartBlock(Block(transactions));
        using var good = verifier.StartBlock(Block(Payments(50)));

        bad.Complete().Message.ShouldStartWith(transactions[60].TxId.ToString());
        good.Complete().ShouldBe(ValidationResult.Ok);
    }

    [Test]
    public void An_exception_on_a_helper_thread_reaches_the_caller_instead_of_ending_the_process()
    {
        var checks = Payments(400).Select(t => (t, 0)).ToList();
        var failure = new InvalidOperationException("unexpected");
        using var check = new BlockSignatureCheck(checks, helpers: 3, (tx, _) => tx == checks[^1].t ? throw failure : ValidationResult.Ok);

        Should.Throw<InvalidOperationException>(() => check.Complete()).ShouldBeSameAs(failure);
    }

    [Test]
    public void Many_verifiers_checking_at_once_share_the_process_signature_threads()
    {
        var transactions = Payments(100);
        transactions[70] = Forge(transactions[70]);
        var bad = Block(transactions);
        var good = Block(Payments(100));

        // As many nodes as the process may host, each with its own verifier, each with a block under way.
        var checks = Enumerable.Range(0, 64).Select(i => new SignatureVerifier(maxDegreeOfParallelism: 4).StartBlock(i % 2 == 0 ? good : bad)).ToList();
        try
        {
            for (var i = 0; i < checks.Count; i++)
            {
                var result = checks[i].Complete();
                if (i % 2 == 0)
                {
                    result.ShouldBe(ValidationResult.Ok);
                }
                else
                {
                    result.Message.ShouldStartWith(transactions[70].TxId.ToString());
                }
            }
        }
        finally
        {
            checks.ForEach(c => c.Dispose());
        }

        SignatureCheckThreads.Started.ShouldBe(SignatureCheckThreads.Count, "helper threads are the process's, not each check's or verifier's");
    }

    [Test]
    public void Checks_abandoned_before_their_verdict_give_none()
    {
        var checks = Payments(400).Select(t => (t, 0)).ToList();
        using var check = new BlockSignatureCheck(checks, helpers: 1, (_, _) => ValidationResult.Ok);

        check.Abandon();

        Should.Throw<OperationCanceledException>(() => check.Complete());
    }

    [Test]
    public void A_bad_signature_passes_every_other_block_rule_and_fails_the_signature_check()
    {
        var transactions = Payments(20);
        transactions[7] = Forge(transactions[7]);
        var block = Block(transactions);
        var view = new DictionaryUtxoView(transactions.SelectMany(t => t.Inputs).ToDictionary(i => i.PreviousOutput, _ => new Coin(new TxOut(Amount.FromCoins(1), [.. Alice.PublicKey.ToAddress().PublicKeyHash]), 0, false)));

        BlockValidator.ConnectBlockExceptSignatures(block, 1, view, ConsensusParams.Regtest, out var undo).ShouldBe(ValidationResult.Ok);
        undo.SpentCoins.Length.ShouldBe(20);
        BlockValidator.ConnectBlock(block, 1, view, ConsensusParams.Regtest, out undo).Code.ShouldBe(RejectCodes.BadSignature);
        undo.ShouldBe(BlockUndo.Empty);
    }

    [Test]
    public void A_block_of_valid_signatures_passes_in_parallel_and_alone()
    {
        var block = Block(Payments(100));

        new SignatureVerifier(maxDegreeOfParallelism: 2).CheckBlock(block).ShouldBe(ValidationResult.Ok);
        new SignatureVerifier(maxDegreeOfParallelism: 1).CheckBlock(block).ShouldBe(ValidationResult.Ok);
    }

    [Test]
    public void Inputs_verified_on_mempool_entry_are_not_verified_again_when_the_block_connects()
    {
        var cache = new SignatureCache();
        var verifier = new SignatureVerifier(cache);
        var payment = Payments(1)[0];

        verifier.CheckTransaction(payment).ShouldBe(ValidationResult.Ok);

        cache.Contains(payment.TxId, 0).ShouldBeTrue();
        // Only a cache hit can let a forged signature through: proof the block check did not verify it.
        var forged = Forge(payment);
        cache.Add(forged.TxId, 0);
        verifier.CheckBlock(Block([forged])).ShouldBe(ValidationResult.Ok);
        new SignatureVerifier().CheckBlock(Block([forged])).Code.ShouldBe(RejectCodes.BadSignature);
    }

    [Test]
    public void A_cached_transaction_does_not_vouch_for_other_signature_bytes()
    {
        var cache = new SignatureCache();
        var verifier = new SignatureVerifier(cache);
        var payment = Payments(1)[0];
        verifier.CheckTransaction(payment).ShouldBe(ValidationResult.Ok);

        var forged = Forge(payment);

        forged.TxId.ShouldNotBe(payment.TxId, "the txid covers the signatures");
        verifier.CheckBlock(Block([forged])).Code.ShouldBe(RejectCodes.BadSignature);
        verifier.CheckTransaction(forged).Code.ShouldBe(RejectCodes.BadSignature);
        cache.Contains(forged.TxId, 0).ShouldBeFalse("a failed check is not remembered");
    }

    [Test]
    public void Block_checks_add_nothing_to_the_cache()
    {
        var cache = new SignatureCache();

        new SignatureVerifier(cache).CheckBlock(Block(Payments(20))).ShouldBe(ValidationResult.Ok);

        cache.Count.ShouldBe(0);
    }

    [Test]
    public void The_cache_is_bounded_and_forgets_its_oldest_entries_first()
    {
        var cache = new SignatureCache(capacity: 3);
        var ids = Enumerable.Range(0, 5).Select(i => Hash256.Compute([(byte)i])).ToArray();

        foreach (var id in ids)
        {
            cache.Add(id, 0);
        }

        cache.Add(ids[4], 0);
        cache.Count.ShouldBe(3);
        cache.Contains(ids[0], 0).ShouldBeFalse();
        cache.Contains(ids[1], 0).ShouldBeFalse();
        cache.Contains(ids[2], 0).ShouldBeTrue();
        cache.Contains(ids[4], 0).ShouldBeTrue();
        cache.Contains(ids[4], 1).ShouldBeFalse("the input index is part of the key");
    }

    [Test]
    public void The_cache_stays_bounded_and_consistent_under_concurrent_use()
    {
        var cache = new SignatureCache(capacity: 1000);

        Parallel.For(0, 8, thread =>
        {
            for (var i = 0; i < 5000; i++)
            {
                var id = Hash256.Compute(BitConverter.GetBytes((thread * 5000) + i));
                cache.Add(id, i % 3);
                cache.Contains(id, i % 3);
            }
        });

        cache.Count.ShouldBe(1000);
    }

    /// <summary>Signed one-input payments from Alice, each spending a distinct made-up output.</summary>
    private static Transaction[] Payments(int count) =>
        [.. Enumerable.Range(0, count).Select(i => TestData.Spend(Alice, [new OutPoint(Hash256.Compute(BitConverter.GetBytes(i)), 0)], [TestData.Pay(Alice, Amount.FromCoins(1))]))];

    /// <summary>The same transaction with a valid-looking signature over something else.</summary>
    private static Transaction Forge(Transaction tx) =>
        tx.WithInputs([tx.Inputs[0].WithSignature(Alice.Sign(Hashes.Sha256(tx.TxId.ToBytes()))), .. tx.Inputs.Skip(1)]);

    private static Block Block(IEnumerable<Transaction> transactions)
    {
        var all = transactions.Prepend(Coinbase.Create(1, new byte[20], Amount.FromCoins(50))).ToImmutableArray();
        return new Block(new BlockHeader(1, default, MerkleTree.ComputeRoot(all), 0, 0x207fffff, 0), all);
    }
}
