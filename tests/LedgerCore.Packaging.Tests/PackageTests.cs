using System.IO.Compression;
using System.Xml.Linq;
using NUnit.Framework;

namespace LedgerCore.Packaging.Tests;

/// <summary>
/// Proof that the packages work for a consumer: one <c>dotnet pack</c> of the solution at the repository
/// root, as a user types it, at a version no cache has seen; then, for every packable project under src/,
/// its package and contents, and a throwaway console project outside the repository that restores it from
/// the local folder and runs (a tool package is installed with <c>dotnet tool install</c> and its command
/// run instead); and one consumer of LedgerCore and LedgerCore.Tcp that publishes with NativeAOT without a
/// warning and runs the engine, a server and a client.
/// </summary>
public class PackageTests
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(4);

    private string _work = null!;
    private string _feed = null!;
    private string _version = null!;

    [OneTimeSetUp]
    public async Task Pack()
    {
        // Unique, so the global package cache can never answer with an older build of the same version.
        _version = $"0.0.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}.g{Guid.NewGuid():N}";
        _work = Directory.CreateTempSubdirectory("ledgercore-packaging-").FullName;
        _feed = Path.Combine(_work, "feed");

        // No project argument: the solution at the root, every project in it (a project that cannot pack
        // fails the whole command, as it would for a user). Its own artifacts path: packing at another
        // version must not touch the repository's bin/obj, which the other test projects were built from.
        (int exit, string output) = await DotNet.RunAsync(SourceProject.RepositoryRoot, CommandTimeout,
            "pack", "-c", "Release", "-o", _feed, "--artifacts-path", Path.Combine(_work, "artifacts"), $"-p:Version={_version}");
        Assert.That(exit, Is.Zero, output);
        Assert.That(output.Split('\n').Where(l => l.Contains("warning", StringComparison.OrdinalIgnoreCase)), Is.Empty,
            "packing the solution is silent: no project it reaches warns");
    }

    [OneTimeTearDown]
    public async Task CleanUp()
    {
        Directory.Delete(_work, recursive: true);
        // Each run adds a version of each package to the machine's package cache: take ours out again.
        (int exit, string output) = await DotNet.RunAsync(Path.GetTempPath(), CommandTimeout, "nuget", "locals", "global-packages", "--list");
        string? cache = exit == 0 ? output.Split(':', 2).ElementAtOrDefault(1)?.Trim() : null;
        if (cache is null) return;
        foreach (SourceProject project in SourceProject.Packable())
        {
            string cached = Path.Combine(cache, project.PackageId.ToLowerInvariant(), _version.ToLowerInvariant());
            if (Directory.Exists(cached)) Directory.Delete(cached, recursive: true);
        }
    }

    private static IEnumerable<SourceProject> PackableProjects() => SourceProject.Packable();

    [Test]
    public void The_solution_packs_exactly_the_packable_projects_under_src()
    {
        string[] expected = SourceProject.Packable().Select(p => $"{p.PackageId}.{_version}.nupkg").ToArray();
        string[] packed = Directory.GetFiles(_feed, "*.nupkg").Select(Path.GetFileName).ToArray()!;
        Assert.That(expected, Does.Contain($"LedgerCore.{_version}.nupkg"), "the discovery of src/*/*.csproj finds the core project at least");
        Assert.That(packed, Is.EquivalentTo(expected), "no packable project left out, and no test, sample or benchmark packed");
    }

    [TestCaseSource(nameof(PackableProjects))]
    public void Package_has_its_readme_license_docs_and_a_symbols_package(SourceProject project)
    {
        string nupkg = Path.Combine(_feed, $"{project.PackageId}.{_version}.nupkg");
        string snupkg = Path.Combine(_feed, $"{project.PackageId}.{_version}.snupkg");
        Assert.That(File.Exists(nupkg), nupkg);
        Assert.That(File.Exists(snupkg), "the symbols package sits beside the package");

        string library = $"{project.AssemblyFolder}/{project.AssemblyName}";
        using ZipArchive package = ZipFile.OpenRead(nupkg);
        string[] entries = package.Entries.Select(e => e.FullName).ToArray();
        Assert.That(entries, Does.Contain("README.md").And.Contain($"{library}.dll").And.Contain($"{library}.xml"));

        using (var readme = new StreamReader(package.GetEntry("README.md")!.Open()))
        {
            Assert.That(readme.ReadToEnd(), Is.EqualTo(File.ReadAllText(Path.Combine(project.Directory, "README.md"))), "the project's own README");
        }

        XDocument nuspec;
        using (Stream stream = package.GetEntry($"{project.PackageId}.nuspec")!.Open()) nuspec = XDocument.Load(stream);
        XElement metadata = nuspec.Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        string? Field(string name) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value;
        XElement license = metadata.Elements().Single(e => e.Name.LocalName == "license");
        Assert.Multiple(() =>
        {
            Assert.That(license.Attribute("type")?.Value, Is.EqualTo("expression"));
            Assert.That(license.Value, Is.EqualTo("Apache-2.0"));
            Assert.That(Field("readme"), Is.EqualTo("README.md"));
            Assert.That(Field("version"), Is.EqualTo(_version));
            Assert.That(Field("description"), Is.Not.Empty);
            Assert.That(Field("tags"), Does.Contain("ledger"));
            XElement? repository = metadata.Elements().SingleOrDefault(e => e.Name.LocalName == "repository");
            Assert.That(repository?.Attribute("commit")?.Value, Does.Match("^[0-9a-f]{40}$"), "SourceLink records the commit");
        });

        // The XML docs of this assembly, documenting its public types (not an empty file).
        using (Stream docs = package.GetEntry($"{library}.xml")!.Open())
        {
            XDocument xml = XDocument.Load(docs);
            Assert.That(xml.Root?.Element("assembly")?.Element("name")?.Value, Is.EqualTo(project.AssemblyName));
            Assert.That(xml.Descendants("member").Select(m => m.Attribute("name")?.Value), Has.Some.StartsWith("T:"));
        }

        using ZipArchive symbols = ZipFile.OpenRead(snupkg);
        Assert.That(symbols.Entries.Select(e => e.FullName), Does.Contain($"{library}.pdb"));
    }

    [TestCaseSource(nameof(PackableProjects))]
    public async Task A_console_project_restores_the_package_alone_from_the_folder_and_loads_it(SourceProject project)
    {
        if (project.ToolCommand is not null)
        {
            await InstallAndRunToolAsync(project);
            return;
        }

        string directory = Path.Combine(_work, "loader-" + project.PackageId);
        Consumer.WriteLoader(directory, _feed, _version, project);

        (int exit, string output) = await DotNet.RunAsync(directory, CommandTimeout, "run", "-c", "Release");
        Assert.That(exit, Is.Zero, output);
        Assert.That(output, Does.Contain($"{project.AssemblyName} {_version}+"), "the packed assembly (its informational version, then the commit), not another");
    }

    /// <summary>
    /// A tool package cannot be referenced as a library: it is installed as a user would (into a tool
    /// path, from the folder alone) and its command runs; <c>--version</c> shows it is the packed build.
    /// </summary>
    private async Task InstallAndRunToolAsync(SourceProject project)
    {
        string tools = Path.Combine(_work, "tools-" + project.PackageId);
        (int exit, string output) = await DotNet.RunAsync(_work, CommandTimeout,
            "tool", "install", "--tool-path", tools, "--add-source", _feed, project.PackageId, "--version", _version);
        Assert.That(exit, Is.Zero, output);

        string command = Path.Combine(tools, project.ToolCommand!);
        (int helpExit, string help) = await Run(command, "--help");
        Assert.That(helpExit, Is.Zero, help);
        Assert.That(help, Does.Contain("Usage:").And.Contain(project.ToolCommand));
        (int versionExit, string version) = await Run(command, "--version");
        Assert.That(versionExit, Is.Zero, version);
        Assert.That(version, Does.StartWith($"{_version}+"), "the packed build (its informational version, then the commit), not another");
    }

    private static async Task<(int Exit, string Output)> Run(string command, string argument)
    {
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(command, [argument]) { RedirectStandardOutput = true })!;
        using var timeout = new CancellationTokenSource(CommandTimeout);
        using CancellationTokenRegistration kill = timeout.Token.Register(() => process.Kill(entireProcessTree: true));
        string printed = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, printed);
    }

    [Test]
    public async Task A_consumer_of_the_engine_and_the_TCP_adapter_publishes_with_NativeAOT_without_warnings_and_runs()
    {
        string directory = Path.Combine(_work, "scenario");
        Consumer.WriteScenario(directory, _feed, _version);
        string output = Path.Combine(_work, "aot");
        (int exit, string log) = await DotNet.RunAsync(directory, CommandTimeout,
            "publish", "-c", "Release", "-r", "linux-x64", "-p:PublishAot=true", "-o", output);
        Assert.That(exit, Is.Zero, log);
        Assert.That(log.Split('\n').Where(l => l.Contains("warning", StringComparison.OrdinalIgnoreCase)), Is.Empty,
            "trim and AOT analysis of LedgerCore, LedgerCore.Tcp (and everything they pull in) is silent");

        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(Path.Combine(output, "Consumer")) { RedirectStandardOutput = true })!;
        // A hung binary is killed: its output then ends and the exit code fails the test.
        using var timeout = new CancellationTokenSource(CommandTimeout);
        using CancellationTokenRegistration kill = timeout.Token.Register(() => process.Kill(entireProcessTree: true));
        string printed = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.That(process.ExitCode, Is.Zero, printed);
        Assert.That(printed, Does.Contain($"LedgerCore {_version}+").And.Contain($"LedgerCore.Tcp {_version}+"), "the packed assemblies, not others");
        Assert.That(printed, Does.Contain(Consumer.EngineOutput).And.Contain(Consumer.TcpOutput));
    }
}
