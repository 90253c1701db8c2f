using ChainCore.Tests.Harness.Postgres;

namespace ChainCore.Tests.Unit.Harness;

[TestFixture, Category("Unit")]
public sealed class PostgresDiscoveryTests
{
    [Test]
    public void Linux_picks_the_newest_debian_version_when_path_has_none()
    {
        var host = new FakeHost(HostOs.Linux, "/usr/bin:/bin")
            .WithBinaries("/usr/lib/postgresql/13/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/9.6/bin");

        PostgresDiscovery.Find(host)!.ShouldBe(new PostgresBinaries("/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/16/bin/initdb", "/usr/lib/postgresql/16/bin/pg_ctl"));
    }

    [Test]
    public void Linux_finds_rpm_installs_under_usr_pgsql()
    {
        var host = new FakeHost(HostOs.Linux, "/usr/bin").WithBinaries("/usr/pgsql-14/bin", "/usr/pgsql-17/bin");

        PostgresDiscovery.Find(host)!.BinDir.ShouldBe("/usr/pgsql-17/bin");
    }

    [Test]
    public void Path_comes_before_install_folders_and_pgbin_before_path()
    {
        var host = new FakeHost(HostOs.Linux, "/opt/pg/bin:/usr/bin")
            .WithBinaries("/opt/pg/bin", "/usr/lib/postgresql/17/bin", "/srv/pg15/bin");

        PostgresDiscovery.Find(host)!.BinDir.ShouldBe("/opt/pg/bin");
        PostgresDiscovery.Find(host.WithVariable("PGBIN", "/srv/pg15/bin/"))!.BinDir.ShouldBe("/srv/pg15/bin");
    }

    [Test]
    public void A_folder_with_initdb_but_no_pg_ctl_is_skipped()
    {
        var host = new FakeHost(HostOs.Linux, "/half/bin").WithBinaries("/usr/lib/postgresql/15/bin");
        host.Files.Add("/half/bin/initdb");

        PostgresDiscovery.Find(host)!.BinDir.ShouldBe("/usr/lib/postgresql/15/bin");
    }

    [Test]
    public void Windows_finds_exe_files_under_program_files_newest_first()
    {
        var host = new FakeHost(HostOs.Windows, @"C:\Windows\system32;C:\Windows")
            .WithVariable("ProgramFiles", @"C:\Program Files")
            .WithBinaries(@"C:\Program Files\PostgreSQL\15\bin", @"C:\Program Files\PostgreSQL\17\bin", @"C:\Program Files\PostgreSQL\16\bin");

        var found = PostgresDiscovery.Find(host)!;

        found.BinDir.ShouldBe(@"C:\Program Files\PostgreSQL\17\bin");
        found.Initdb.ShouldBe(@"C:\Program Files\PostgreSQL\17\bin\initdb.exe");
        found.PgCtl.ShouldBe(@"C:\Program Files\PostgreSQL\17\bin\pg_ctl.exe");
    }

    [Test]
    public void Windows_ignores_files_without_the_exe_suffix_and_reads_pgbin_and_semicolon_paths()
    {
        var host = new FakeHost(HostOs.Windows, @"C:\tools\pg\bin;""C:\Quoted Dir\bin""")
            .WithBinaries(@"C:\Quoted Dir\bin");
        host.Files.Add(@"C:\tools\pg\bin\initdb");
        host.Files.Add(@"C:\tools\pg\bin\pg_ctl");

        PostgresDiscovery.Find(host)!.BinDir.ShouldBe(@"C:\Quoted Dir\bin");
        PostgresDiscovery.Find(host.WithVariable("PGBIN", @"D:\pgsql\bin").WithBinaries(@"D:\pgsql\bin"))!.Initdb.ShouldBe(@"D:\pgsql\bin\initdb.exe");
    }

    [Test]
    public void MacOs_prefers_the_newest_homebrew_formula_on_apple_silicon()
    {
        var host = new FakeHost(HostOs.MacOs, "/usr/bin:/bin")
            .WithBinaries("/opt/homebrew/opt/postgresql@14/bin", "/opt/homebrew/opt/postgresql@17/bin", "/Applications/Postgres.app/Contents/Versions/18/bin");

        PostgresDiscovery.Find(host)!.BinDir.ShouldBe("/opt/homebrew/opt/postgresql@17/bin");
    }

    [Test]
    public void MacOs_finds_intel_homebrew_and_then_postgres_app()
    {
        var intel = new FakeHost(HostOs.MacOs, "/usr/bin").WithBinaries("/usr/local/opt/postgresql@16/bin");
        var app = new FakeHost(HostOs.MacOs, "/usr/bin")
            .WithBinaries("/Applications/Postgres.app/Contents/Versions/15/bin", "/Applications/Postgres.app/Contents/Versions/17/bin", "/Applications/Postgres.app/Contents/Versions/latest/bin");

        PostgresDiscovery.Find(intel)!.BinDir.ShouldBe("/usr/local/opt/postgresql@16/bin");
        PostgresDiscovery.Find(app)!.BinDir.ShouldBe("/Applications/Postgres.app/Contents/Versions/17/bin");
    }

    [Test]
    public void Nothing_found_gives_null_and_lists_where_it_looked()
    {
        var host = new FakeHost(HostOs.MacOs, "/usr/bin");

        PostgresDiscovery.Find(host).ShouldBeNull();
        PostgresDiscovery.Candidates(host).ShouldContain("/opt/homebrew/opt/postgresql/bin");
        PostgresDiscovery.Candidates(host).ShouldContain("/usr/local/opt/postgresql/bin");
    }

    [TestCase("15", 15, 0)]
    [TestCase("16.4", 16, 4)]
    [TestCase("postgresql@17", 17, 0)]
    [TestCase("pgsql-9.6", 9, 6)]
    [TestCase("latest", 0, 0)]
    public void Versions_are_read_from_folder_names(string name, int major, int minor)
    {
        var version = PostgresDiscovery.VersionOf(name);

        (version.Major, version.Minor).ShouldBe((major, minor));
    }

    /// <summary>A machine made of a list of files; folders are implied by them.</summary>
    private sealed class FakeHost(HostOs os, string path) : IHostView
    {
        private readonly Dictionary<string, string> _variables = new(StringComparer.Ordinal) { ["PATH"] = path };

        public HashSet<string> Files { get; } = [];

        public HostOs Os { get; } = os;

        private char Separator => Os == HostOs.Windows ? '\\' : '/';

        public FakeHost WithVariable(string name, string value)
        {
            _variables[name] = value;
            return this;
        }

        public FakeHost WithBinaries(params string[] binDirs)
        {
            var suffix = Os == HostOs.Windows ? ".exe" : string.Empty;
            foreach (var dir in binDirs)
            {
                Files.Add(dir + Separator + "initdb" + suffix);
                Files.Add(dir + Separator + "pg_ctl" + suffix);
            }

            return this;
        }

        public string? Variable(string name) => _variables.GetValueOrDefault(name);

        public bool FileExists(string path) => Files.Contains(path);

        public IEnumerable<string> Directories(string path)
        {
            var prefix = path.TrimEnd(Separator) + Separator;
            return Files.Where(f => f.StartsWith(prefix, StringComparison.Ordinal))
                .Select(f => f[prefix.Length..].Split(Separator)[0])
                .Where(child => f(child))
                .Distinct()
                .Select(child => prefix + child);

            bool f(string child) => Files.Any(file => file.StartsWith(prefix + child + Separator, StringComparison.Ordinal));
        }
    }
}
