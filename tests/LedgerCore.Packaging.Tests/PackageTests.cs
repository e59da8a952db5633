using System.IO.Compression;
using System.Xml.Linq;
using NUnit.Framework;

namespace LedgerCore.Packaging.Tests;

/// <summary>
/// Proof that the package works for a consumer: <c>dotnet pack</c> of src/LedgerCore at a version no cache has
/// seen, its contents, then a throwaway console project outside the repository that restores it from a
/// local folder source, runs a transfer, and publishes with NativeAOT without a warning.
/// </summary>
public class PackageTests
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(4);

    private string _work = null!;
    private string _feed = null!;
    private string _version = null!;
    private string _consumer = null!;

    [OneTimeSetUp]
    public async Task Pack()
    {
        // Unique, so the global package cache can never answer with an older build of the same version.
        _version = $"0.0.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}.g{Guid.NewGuid():N}";
        _work = Directory.CreateTempSubdirectory("ledgercore-packaging-").FullName;
        _feed = Path.Combine(_work, "feed");
        string project = Path.Combine(RepositoryRoot(), "src", "LedgerCore", "LedgerCore.csproj");

        // Its own artifacts path: packing at another version must not touch the repository's bin/obj, which
        // the other test projects were built from.
        (int exit, string output) = await DotNet.RunAsync(_work, CommandTimeout,
            "pack", project, "-c", "Release", "-o", _feed, "--artifacts-path", Path.Combine(_work, "artifacts"), $"-p:Version={_version}");
        Assert.That(exit, Is.Zero, output);

        _consumer = Path.Combine(_work, "consumer");
        WriteConsumer(_consumer, _feed, _version);
    }

    [OneTimeTearDown]
    public async Task CleanUp()
    {
        Directory.Delete(_work, recursive: true);
        // Each run adds a version to the machine's package cache: take ours out again.
        (int exit, string output) = await DotNet.RunAsync(Path.GetTempPath(), CommandTimeout, "nuget", "locals", "global-packages", "--list");
        string? cache = exit == 0 ? output.Split(':', 2).ElementAtOrDefault(1)?.Trim() : null;
        string cached = Path.Combine(cache ?? "", "ledgercore", _version.ToLowerInvariant());
        if (cache is not null && Directory.Exists(cached)) Directory.Delete(cached, recursive: true);
    }

    [Test]
    public void Package_has_readme_license_docs_and_a_symbols_package()
    {
        string nupkg = Path.Combine(_feed, $"LedgerCore.{_version}.nupkg");
        string snupkg = Path.Combine(_feed, $"LedgerCore.{_version}.snupkg");
        Assert.That(File.Exists(nupkg), nupkg);
        Assert.That(File.Exists(snupkg), "the symbols package sits beside the package");

        using ZipArchive package = ZipFile.OpenRead(nupkg);
        string[] entries = package.Entries.Select(e => e.FullName).ToArray();
        Assert.That(entries, Does.Contain("README.md").And.Contain("lib/net10.0/LedgerCore.dll").And.Contain("lib/net10.0/LedgerCore.xml"));

        XDocument nuspec;
        using (Stream stream = package.GetEntry("LedgerCore.nuspec")!.Open()) nuspec = XDocument.Load(stream);
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

        using (Stream docs = package.GetEntry("lib/net10.0/LedgerCore.xml")!.Open())
        {
            XDocument xml = XDocument.Load(docs);
            Assert.That(xml.Descendants("member").Select(m => m.Attribute("name")?.Value), Does.Contain("T:LedgerCore.LedgerEngine"));
        }

        using ZipArchive symbols = ZipFile.OpenRead(snupkg);
        Assert.That(symbols.Entries.Select(e => e.FullName), Does.Contain("lib/net10.0/LedgerCore.pdb"));
    }

    [Test]
    public async Task A_console_project_restores_the_package_and_runs_a_transfer()
    {
        (int exit, string output) = await DotNet.RunAsync(_consumer, CommandTimeout, "run", "-c", "Release");
        Assert.That(exit, Is.Zero, output);
        Assert.That(output, Does.Contain(ExpectedOutput));
        Assert.That(output, Does.Contain($"LedgerCore {_version}+"), "the packed assembly (its informational version, then the commit), not another");
    }

    [Test]
    public async Task The_consumer_publishes_with_NativeAOT_without_warnings_and_runs()
    {
        string output = Path.Combine(_work, "aot");
        (int exit, string log) = await DotNet.RunAsync(_consumer, CommandTimeout,
            "publish", "-c", "Release", "-r", "linux-x64", "-p:PublishAot=true", "-o", output);
        Assert.That(exit, Is.Zero, log);
        Assert.That(log.Split('\n').Where(l => l.Contains("warning", StringComparison.OrdinalIgnoreCase)), Is.Empty,
            "trim and AOT analysis of LedgerCore (and everything it pulls in) is silent");

        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(Path.Combine(output, "Consumer")) { RedirectStandardOutput = true })!;
        string printed = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.That(process.ExitCode, Is.Zero, printed);
        Assert.That(printed, Does.Contain(ExpectedOutput), "the native binary behaves as the JIT-compiled one");
    }

    private const string ExpectedOutput = "failures=0 debits=2500 credits=2500 feed=2 recovered=2500";

    private static void WriteConsumer(string directory, string feed, string version)
    {
        Directory.CreateDirectory(directory);
        // Adds the folder and keeps the machine's own sources (no <clear/>): the dependencies come from there.
        File.WriteAllText(Path.Combine(directory, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="ledgercore-under-test" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(directory, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="LedgerCore" Version="{version}" />
              </ItemGroup>
            </Project>
            """);
        // A transfer, the change feed (journal decoding) and a restart (recovery): the paths AOT could break.
        File.WriteAllText(Path.Combine(directory, "Program.cs"), """
            using System.Reflection;
            using LedgerCore;

            Console.WriteLine($"LedgerCore {typeof(LedgerEngine).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion}");
            string directory = Path.Combine(Path.GetTempPath(), "ledgercore-consumer-" + Guid.NewGuid().ToString("N"));
            int failures;
            int feed = 0;
            await using (LedgerEngine ledger = await LedgerEngine.OpenAsync(new LedgerOptions { DataDirectory = directory }))
            {
                failures = (await ledger.CreateAccountsAsync(new[] { new Account { Id = 1, Ledger = 840, Code = 10 }, new Account { Id = 2, Ledger = 840, Code = 20 } })).Length;
                failures += (await ledger.CreateTransfersAsync(new[] { new Transfer { Id = 100, DebitAccountId = 1, CreditAccountId = 2, Amount = 2_500, Ledger = 840, Code = 1 } })).Length;
                using var stop = new CancellationTokenSource();
                await foreach (CommittedBatch batch in ledger.ReadCommittedAsync(0, stop.Token))
                {
                    feed++;
                    if (batch.Sequence == ledger.CommittedSequence) break;
                }
            }
            await using (LedgerEngine ledger = await LedgerEngine.OpenAsync(new LedgerOptions { DataDirectory = directory }))
            {
                Account[] accounts = await ledger.LookupAccountsAsync(new UInt128[] { 1, 2 });
                Console.WriteLine($"failures={failures} debits={accounts[0].DebitsPosted} credits={accounts[1].CreditsPosted} feed={feed} recovered={accounts[1].CreditsPosted}");
            }
            Directory.Delete(directory, recursive: true);
            """);
    }

    private static string RepositoryRoot()
    {
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "src", "LedgerCore", "LedgerCore.csproj"))) return d.FullName;
        }
        throw new InvalidOperationException($"No src/LedgerCore above {AppContext.BaseDirectory}: run the tests from the repository.");
    }
}
