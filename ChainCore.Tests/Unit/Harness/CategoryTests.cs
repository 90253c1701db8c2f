using System.Text.RegularExpressions;
using ChainCore.Tests.Harness;
using NUnit.Framework.Api;
using NUnit.Framework.Interfaces;
using NUnit.Framework.Internal;

namespace ChainCore.Tests.Unit.Harness;

/// <summary>
/// Every test carries exactly one kind (Unit, Integration, E2E, Performance) and only known
/// categories, and every category the test settings document has tests: a filter on any of them
/// selects something. Read from NUnit's own view of the assembly (fixture and test case categories included).
/// </summary>
[TestFixture, Category("Unit")]
public sealed partial class CategoryTests
{
    public static readonly string[] Kinds = ["Unit", "Integration", "E2E", "Performance"];
    public static readonly string[] Known = [.. Kinds, "Slow", "Database", "Network", "Mining", "Crypto", "Browser"];

    [Test]
    public void Every_test_has_exactly_one_kind_and_only_known_categories()
    {
        var wrong = AllTests()
            .Select(t => (t.Name, Kinds: t.Categories.Intersect(Kinds).ToList(), Unknown: t.Categories.Except(Known).ToList()))
            .Where(t => t.Kinds.Count != 1 || t.Unknown.Count > 0)
            .Select(t => $"{t.Name}: kinds [{string.Join(", ", t.Kinds)}]{(t.Unknown.Count > 0 ? $", unknown [{string.Join(", ", t.Unknown)}]" : string.Empty)}")
            .ToList();

        wrong.ShouldBeEmpty($"{wrong.Count} tests are not categorized as the house rules say:{Environment.NewLine}{string.Join(Environment.NewLine, wrong.Take(50))}");
    }

    [Test]
    public void Every_documented_category_has_tests()
    {
        var documented = DocumentedCategories();
        var used = AllTests().SelectMany(t => t.Categories).ToHashSet();

        documented.ShouldNotBeEmpty();
        documented.Except(Known).ShouldBeEmpty("the test settings document only categories the check knows");
        documented.Where(c => !used.Contains(c)).ShouldBeEmpty("a documented category without tests makes its filter select nothing");
    }

    /// <summary>The categories listed in testsettings.runsettings ("Categories: A, B, …").</summary>
    public static IReadOnlyList<string> DocumentedCategories()
    {
        var settings = File.ReadAllText(Path.Combine(ReportPaths.RepositoryRoot, "testsettings.runsettings"));
        var line = CategoriesLine().Match(settings);
        line.Success.ShouldBeTrue("testsettings.runsettings lists the categories in a line 'Categories: …'");
        return [.. line.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(c => c.TrimEnd('.'))];
    }

    /// <summary>Every test case of this assembly with its categories, its fixtures' included.</summary>
    public static IReadOnlyList<(string Name, IReadOnlySet<string> Categories)> AllTests()
    {
        var root = new DefaultTestAssemblyBuilder().Build(typeof(CategoryTests).Assembly, new Dictionary<string, object>());
        var tests = new List<(string, IReadOnlySet<string>)>();
        Walk(root, new HashSet<string>(), tests);
        tests.ShouldNotBeEmpty();
        return tests;
    }

    private static void Walk(ITest test, HashSet<string> inherited, List<(string, IReadOnlySet<string>)> tests)
    {
        var categories = new HashSet<string>(inherited);
        foreach (var category in test.Properties[PropertyNames.Category])
        {
            categories.Add((string)category);
        }

        if (!test.IsSuite)
        {
            tests.Add((test.FullName, categories));
            return;
        }

        foreach (var child in test.Tests)
        {
            Walk(child, categories, tests);
        }
    }

    [GeneratedRegex(@"Categories:\s*([A-Za-z0-9, ]+)")]
    private static partial Regex CategoriesLine();
}
