using System.Collections.Immutable;
using ChainCore.Core.Consensus;
using ChainCore.Core.Crypto;
using ChainCore.Core.Primitives;
using ChainCore.Tests.Fixtures;

namespace ChainCore.Tests.Unit.Crypto;

/// <summary>
/// How a block's signature checks are shared out (helpers and chunk sizes at the thresholds), and
/// what a helper does with a check on its own thread, driven directly so that no scheduling decides it.
/// </summary>
[TestFixture, Category("Unit"), Category("Crypto")]
public sealed class SignatureVerifierDetailTests
{
    private static readonly PrivateKey Alice = TestData.AliceKey;

    [Test]
    public void A_verifier_needs_at_least_one_thread()
    {
        var refused = Should.Throw<ArgumentOutOfRangeException>(() => new SignatureVerifier(maxDegreeOfParallelism: 0));

        refused.ParamName.ShouldBe("maxDegreeOfParallelism");
        refused.Message.ShouldStartWith("At least one thread.");
        Should.Throw<ArgumentNullException>(() => new SignatureVerifier().CheckTransaction(null!));
        Should.Throw<ArgumentNullException>(() => new SignatureVerifier().StartBlock(null!));
    }

    [TestCase(15, 0, Description = "under the threshold the caller works alone")]
    [TestCase(16, 1)]
    [TestCase(31, 1)]
    [TestCase(32, 2)]
    [TestCase(400, 2, Description = "never more than the verifier's threads less the caller")]
    public void Helpers_join_one_per_sixteen_inputs_up_to_the_verifiers_threads_less_one(int inputs, int helpers)
    {
        using var check = new SignatureVerifier(maxDegreeOfParallelism: 3).StartBlock(BlockOfInputs(inputs));

        check.Helpers.ShouldBe(helpers);
    }

    [Test]
    public void A_verifier_given_no_thread_count_uses_one_per_core_and_one_given_uses_that()
    {
        var many = BlockOfInputs(16 * (Environment.ProcessorCount + 8));

        using (var own = new SignatureVerifier(maxDegreeOfParallelism: Environment.ProcessorCount + 2).StartBlock(many))
        {
            own.Helpers.ShouldBe(Environment.ProcessorCount + 1);
        }

        using var byCores = new SignatureVerifier().StartBlock(many);
        byCores.Helpers.ShouldBe(Environment.ProcessorCount - 1);
    }

    [TestCase(400, 1, 25)]
    [TestCase(40, 0, 8, Description = "never under eight inputs")]
    public void Workers_take_chunks_of_an_eighth_of_a_share(int inputs, int helpers, int chunk)
    {
        using var check = new BlockSignatureCheck(Inputs(inputs), helpers: helpers, (_, _) => ValidationResult.Ok);

        check.ChunkSize.ShouldBe(chunk);
    }

    [Test]
    public void A_helper_that_joins_an_open_check_does_the_work_and_one_that_comes_after_the_verdict_does_none()
    {
        var calls = 0;
        var check = new BlockSignatureCheck(Inputs(40), helpers: 0, (_, _) =>
        {
            Interlocked.Increment(ref calls);
            return ValidationResult.Ok;
        });

        check.HelperWork();
        calls.ShouldBe(40, "the helper checked every input");

        check.Complete().ShouldBe(ValidationResult.Ok);
        check.HelperWork();
        calls.ShouldBe(40, "nothing is checked twice, and a closed check takes no helper");
        check.Dispose();
    }

    [Test]
    public void An_exception_a_helper_meets_is_thrown_to_the_caller_and_stops_the_work()
    {
        var failure = new InvalidOperationException("unexpected");
        using var check = new BlockSignatureCheck(Inputs(40), helpers: 0, (_, _) => throw failure);

        check.HelperWork();

        Should.Throw<InvalidOperationException>(() => check.Complete()).ShouldBeSameAs(failure);
    }

    [Test]
    public void A_disposed_or_abandoned_check_gives_no_verdict_and_says_so()
    {
        var disposed = new BlockSignatureCheck(Inputs(40), helpers: 0, (_, _) => ValidationResult.Ok);
        disposed.Dispose();
        Should.Throw<OperationCanceledException>(() => disposed.Complete())
            .Message.ShouldBe("The block's signature checks were abandoned before their verdict.");
    }

    [Test]
    public void A_transaction_input_the_cache_vouches_for_is_not_verified_again()
    {
        var signed = TestData.Spend(Alice, [new OutPoint(Hash256.Compute("coin"u8), 0)], [TestData.Pay(Alice, Amount.FromCoins(1))]);
        var forged = signed.WithInputs([signed.Inputs[0].WithSignature(Alice.Sign(Hashes.Sha256("something else"u8)))]);
        var cache = new SignatureCache();
        cache.Add(forged.TxId, 0);

        new SignatureVerifier().CheckTransaction(forged).Code.ShouldBe(RejectCodes.BadSignature);
        new SignatureVerifier(cache).CheckTransaction(forged).ShouldBe(ValidationResult.Ok);
    }

    /// <summary>A block whose non-coinbase transactions have <paramref name="inputs"/> inputs in all (unsigned: only counted here).</summary>
    private static Block BlockOfInputs(int inputs)
    {
        var spend = new Transaction([.. Enumerable.Range(0, inputs).Select(i => new TxIn(new OutPoint(Hash256.Compute(BitConverter.GetBytes(i)), 0), [], []))], [TestData.Pay(Alice, Amount.FromCoins(1))]);
        var all = ImmutableArray.Create(Coinbase.Create(1, new byte[20], Amount.FromCoins(50)), spend);
        return new Block(new BlockHeader(1, default, MerkleTree.ComputeRoot(all), 0, 0x207fffff, 0), all);
    }

    private static List<(Transaction, int)> Inputs(int count)
    {
        var tx = BlockOfInputs(count).Transactions[1];
        return [.. Enumerable.Range(0, count).Select(i => (tx, i))];
    }
}
