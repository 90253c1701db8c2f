using ChainCore.Tests.Harness;

namespace ChainCore.Tests.Unit.Harness;

/// <summary>The run-wide seed: where it comes from, how each test's seed derives from it, and the command a failure prints to rerun the test.</summary>
[TestFixture, Category("Unit")]
public sealed class TestSeedTests
{
    [Test]
    public void The_environment_variable_wins_over_the_runsettings_which_win_over_a_drawn_seed()
    {
        TestSeed.Resolve("123", "456", 789).ShouldBe((123, TestSeed.EnvironmentVariable));
        TestSeed.Resolve(null, "456", 789).Seed.ShouldBe(456);
        TestSeed.Resolve("", " 456 ", 789).Seed.ShouldBe(456);
        TestSeed.Resolve("not a number", "-4", 789).ShouldBe((789, "drawn at random"));
    }

    [Test]
    public void A_test_seed_depends_on_the_run_seed_and_the_test_name_alone()
    {
        const string Name = "ChainCore.Tests.Unit.Data.TransactionPoolPropertyTests.Tight_pool_and_limits_keep_every_invariant(3)";

        TestSeed.For(123, Name).ShouldBe(TestSeed.For(123, Name));
        TestSeed.For(123, Name).ShouldNotBe(TestSeed.For(124, Name));
        TestSeed.For(123, Name).ShouldNotBe(TestSeed.For(123, Name.Replace("(3)", "(4)", StringComparison.Ordinal)));
        TestSeed.For(123, Name).ShouldBeGreaterThanOrEqualTo(0);
    }

    [Test]
    public void The_current_test_draws_from_its_own_seed()
    {
        TestSeed.Current.ShouldBe(TestSeed.For(TestSeed.Run, TestContext.CurrentContext.Test.FullName));
        TestSeed.NewRandom().Next().ShouldBe(new Random(TestSeed.Current).Next());
        TestSeed.NewRandom(stream: 2).Next().ShouldNotBe(TestSeed.NewRandom(stream: 3).Next(), "streams of one test draw apart");
    }

    [Test]
    public void Wallets_of_a_test_are_distinct_and_follow_its_seed()
    {
        var first = Wallets.NewWallet();
        var second = Wallets.NewWallet();

        second.Address.ShouldNotBe(first.Address);
        first.Address.ShouldBe(new TestWallet(ChainCore.Tests.Fixtures.TestData.RandomKey(TestSeed.NewRandom(stream: 1))).Address);
    }

    [Test]
    public void A_failure_names_both_seeds_and_the_command_that_reruns_the_test()
    {
        var note = TestSeed.FailureNote(42, "ChainCore.Tests.Performance.NetworkScalePerformanceTests.A_block_reaches_every_node_of_a_random_network(100,Sqlite)");

        note.ShouldContain($"run 42, test {TestSeed.For(42, "ChainCore.Tests.Performance.NetworkScalePerformanceTests.A_block_reaches_every_node_of_a_random_network(100,Sqlite)")}");
        note.ShouldEndWith("CHAINCORE_SEED=42 dotnet test ChainCore.Tests -c Release --settings testsettings.runsettings --filter "
            + @"'FullyQualifiedName=ChainCore.Tests.Performance.NetworkScalePerformanceTests.A_block_reaches_every_node_of_a_random_network\(100,Sqlite\)'");
    }

    [Test]
    public void A_failed_result_gets_the_seeds_and_the_rerun_command_and_a_passed_one_nothing()
    {
        var result = NUnit.Framework.Internal.TestExecutionContext.CurrentContext.CurrentResult;
        var test = NUnit.Framework.Internal.TestExecutionContext.CurrentContext.CurrentTest;
        var action = new SeedOnFailureAttribute();
        try
        {
            action.AfterTest(test);
            result.Message.ShouldBeNullOrEmpty("a test that did not fail says nothing more");

            result.SetResult(NUnit.Framework.Interfaces.ResultState.Failure, "the balance was wrong");
            action.AfterTest(test);

            result.Message.ShouldBe("the balance was wrong" + Environment.NewLine + TestSeed.FailureNote(TestSeed.Run, test.FullName));
        }
        finally
        {
            // This test's own verdict is its assertions', not the failure it staged.
            result.SetResult(NUnit.Framework.Interfaces.ResultState.Success);
        }
    }

    [Test]
    public void A_test_name_with_quotes_stays_one_shell_word()
    {
        TestSeed.RerunCommand(1, "N.C.M(\"it's\")").ShouldEndWith(@"--filter 'FullyQualifiedName=N.C.M\(""it'\''s""\)'");
    }
}
