using SharpFuzz;

namespace ChainCore.Fuzz;

/// <summary>
/// <c>ChainCore.Fuzz TARGET</c> runs TARGET under afl-fuzz (input on standard input; scripts/fuzz.sh
/// sets it up). <c>ChainCore.Fuzz TARGET FILE…</c> replays saved inputs and prints what each one
/// threw, for triage. <c>ChainCore.Fuzz --list</c> prints the targets;
/// <c>ChainCore.Fuzz --write-seeds FOLDER</c> writes the seed inputs into FOLDER/TARGET/.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args is ["--list"])
        {
            foreach (var each in FuzzTargets.All)
            {
                Console.WriteLine($"{each.Name}\t{each.Format.ToString().ToLowerInvariant()}\t{each.Feeds}");
            }

            return 0;
        }

        if (args is ["--write-seeds", var folder])
        {
            SeedCorpus.Write(folder);
            return 0;
        }

        if (args.Length == 0 || FuzzTargets.Find(args[0]) is not { } target)
        {
            Console.Error.WriteLine($"usage: ChainCore.Fuzz TARGET [FILE...]   TARGET: {string.Join(", ", FuzzTargets.All.Select(t => t.Name))}");
            return 2;
        }

        if (args.Length > 1)
        {
            return Replay(target, args[1..]);
        }

        // Out of process: a hang or a crash that ends the process costs one restart, not the whole run.
        Fuzzer.OutOfProcess.Run(stream =>
        {
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            target.Run(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
        });
        return 0;
    }

    private static int Replay(FuzzTarget target, IEnumerable<string> files)
    {
        var findings = 0;
        foreach (var file in files)
        {
            try
            {
                target.Run(File.ReadAllBytes(file));
                Console.WriteLine($"ok       {file}");
            }
#pragma warning disable CA1031 // Replay reports every exception a harness lets escape: each one is a finding.
            catch (Exception e)
#pragma warning restore CA1031
            {
                findings++;
                Console.WriteLine($"FINDING  {file}\n{e}");
            }
        }

        return findings == 0 ? 0 : 1;
    }
}
