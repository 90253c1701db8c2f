using System.Globalization;
using ChainCore.Tests.Harness;
using ChainCore.Tests.Harness.Postgres;
using static ChainCore.Tests.Harness.Waits;

namespace ChainCore.Tests.E2E;

/// <summary>What the tests start as processes ends with the run that started them, however the run ends.</summary>
[TestFixture, Category("E2E")]
public sealed class AppProcessTests
{
    [Test]
    public async Task A_killed_test_host_leaves_no_app_process_behind()
    {
        var dataDir = Directory.CreateTempSubdirectory("chaincore-app-").FullName;
        try
        {
            using var host = ChildProcesses.StartTestAssembly(["start-node", dataDir]);
            int node;
            try
            {
                var line = await host.StandardOutput.ReadLineAsync().WaitAsync(Timeouts.Scale(TimeSpan.FromSeconds(60)));
                if (line is null || !line.StartsWith("node ", StringComparison.Ordinal))
                {
                    host.Kill(entireProcessTree: true);
                    Assert.Fail($"The test host printed '{line}': {await host.StandardError.ReadToEndAsync()}");
                }

                node = int.Parse(line!["node ".Length..], CultureInfo.InvariantCulture);
                IsRunning(node).ShouldBeTrue();
            }
            catch
            {
                host.Kill(entireProcessTree: true);
                throw;
            }

            // The host alone, as a crash or a kill -9 of the test run: not its process tree.
            host.Kill();
            await host.WaitForExitAsync();

            await WaitUntilAsync(() => !IsRunning(node), () => $"node process {node} still runs after its test host was killed", TimeSpan.FromSeconds(30));
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    [Test, Platform("Linux")]
    public async Task Ctrl_C_reaches_an_app_even_when_the_test_run_was_started_with_SIGINT_ignored()
    {
        var dataDir = Directory.CreateTempSubdirectory("chaincore-app-").FullName;
        try
        {
            // As bash starts a background job (`scripts/test.sh &`): SIGINT ignored, inherited through exec.
            var start = new System.Diagnostics.ProcessStartInfo("sh") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { "-c", "trap '' INT; exec \"$0\" exec \"$1\" interrupt-node \"$2\"", ChildProcesses.Dotnet, ChildProcesses.TestAssembly, dataDir })
            {
                start.ArgumentList.Add(a);
            }

            using var host = System.Diagnostics.Process.Start(start)!;
            var output = host.StandardOutput.ReadToEndAsync();
            var error = host.StandardError.ReadToEndAsync();
            try
            {
                await host.WaitForExitAsync().WaitAsync(Timeouts.Scale(TimeSpan.FromSeconds(120)));
            }
            catch (TimeoutException)
            {
                host.Kill(entireProcessTree: true);
                throw;
            }

            var transcript = $"{await output}{await error}";

            host.ExitCode.ShouldBe(0, transcript);
            transcript.ShouldContain("SIGINT ignored here: True", Case.Sensitive, "the run must really ignore SIGINT for the test to mean anything");
            transcript.ShouldContain("exit 0,", Case.Sensitive, $"the node stops cleanly on Ctrl-C (-1: it ignored it and was killed):{Environment.NewLine}{transcript}");
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    /// <summary>Alive and not a zombie (an orphan's parent may be slow to reap it).</summary>
    private static bool IsRunning(int pid)
    {
        var stat = $"/proc/{pid}/stat";
        if (File.Exists(stat))
        {
            try
            {
                var text = File.ReadAllText(stat);
                return text[(text.LastIndexOf(')') + 2)..][0] != 'Z';
            }
            catch (IOException)
            {
                return false;
            }
        }

        return ProcessRunner.IsAlive(pid, null);
    }
}
