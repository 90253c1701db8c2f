using ChainCore.Fuzz;
using ChainCore.Tests.Harness;

namespace ChainCore.Tests.Unit.Fuzz;

/// <summary>
/// The short run of the fuzz targets: every saved input (tests/fuzz/corpus/TARGET/, the seeds and
/// what afl-fuzz found interesting) replayed in process through its target's harness, so a parser
/// change that breaks on a known-hard input fails here without afl-fuzz. scripts/fuzz.sh runs the long one.
/// </summary>
[TestFixture, Category("Unit")]
public sealed class FuzzCorpusTests
{
    private const long MaxCorpusBytes = 2 * 1024 * 1024;

    private static string CorpusRoot => Path.Combine(ReportPaths.RepositoryRoot, "tests", "fuzz", "corpus");

    private static IEnumerable<string> TargetNames() => FuzzTargets.All.Select(t => t.Name);

    [TestCaseSource(nameof(TargetNames))]
    public void Every_saved_input_is_accepted_or_refused_the_expected_way(string name)
    {
        var target = FuzzTargets.Find(name)!;
        var files = Directory.GetFiles(Path.Combine(CorpusRoot, name)).Order(StringComparer.Ordinal).ToList();
        var findings = new List<string>();
        foreach (var file in files)
        {
            try
            {
                target.Run(File.ReadAllBytes(file));
            }
#pragma warning disable CA1031 // Whatever a harness lets escape is a finding, reported with its input's name.
            catch (Exception e)
#pragma warning restore CA1031
            {
                findings.Add($"{Path.GetFileName(file)}: {e.GetType().Name}: {e.Message}");
            }
        }

        files.ShouldNotBeEmpty($"tests/fuzz/corpus/{name} holds no inputs");
        findings.ShouldBeEmpty($"{findings.Count} of {files.Count} saved inputs of {name} escaped its harness:{Environment.NewLine}{string.Join(Environment.NewLine, findings)}");
    }

    [Test]
    public void Every_target_has_a_corpus_folder_and_every_folder_a_target()
    {
        var folders = Directory.GetDirectories(CorpusRoot).Select(Path.GetFileName).ToList();

        folders.ShouldBe(TargetNames(), ignoreOrder: true, "tests/fuzz/corpus has one folder per fuzz target, named as ChainCore.Fuzz --list prints it");
    }

    [Test]
    public void The_saved_seeds_are_the_ones_the_seed_builder_writes()
    {
        foreach (var (target, seeds) in SeedCorpus.Build())
        {
            foreach (var (name, bytes) in seeds)
            {
                var path = Path.Combine(CorpusRoot, target, "seed-" + name);
                File.Exists(path).ShouldBeTrue($"{path} is missing: run ChainCore.Fuzz --write-seeds tests/fuzz/corpus");
                File.ReadAllBytes(path).ShouldBe(bytes, $"{path} differs from what ChainCore.Fuzz --write-seeds writes");
            }
        }
    }

    [Test]
    public void The_saved_corpus_stays_small()
    {
        var bytes = Directory.GetFiles(CorpusRoot, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);

        bytes.ShouldBeLessThan(MaxCorpusBytes, "the saved corpus is replayed by every default run; minimize it with scripts/fuzz.sh --save-corpus");
    }
}
