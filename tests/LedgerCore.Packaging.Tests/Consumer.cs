namespace LedgerCore.Packaging.Tests;

/// <summary>
/// Throwaway console projects outside the repository (so none of its build settings apply) that take the
/// packages from the local folder they were packed into, as a stranger's project would.
/// </summary>
internal static class Consumer
{
    /// <summary>The line the <see cref="WriteScenario"/> program prints for the embedded engine.</summary>
    public const string EngineOutput = "engine: failures=0 debits=2500 credits=2500 feed=2 recovered=2500";

    /// <summary>The line the <see cref="WriteScenario"/> program prints for the TCP server and client.</summary>
    public const string TcpOutput = "tcp: failures=0 debits=700 credits=700 transfer=700";

    /// <summary>
    /// A consumer of one package and nothing else (its dependencies must come through the package's own
    /// dependency list) that loads the package's assembly and prints its name and informational version.
    /// Knows nothing of the package's API, so it serves any project under src/.
    /// </summary>
    public static void WriteLoader(string directory, string feed, string version, SourceProject project)
    {
        Write(directory, feed, version, [project.PackageId], $$"""
            using System.Reflection;

            Assembly assembly = Assembly.Load("{{project.AssemblyName}}");
            Console.WriteLine($"{assembly.GetName().Name} {assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion} exported types: {assembly.GetExportedTypes().Length}");
            """);
    }

    /// <summary>
    /// A consumer of LedgerCore and LedgerCore.Tcp that runs the paths NativeAOT and trimming could break:
    /// a transfer, the change feed (journal decoding) and a restart (recovery) on the embedded engine, then
    /// a server on an ephemeral loopback port and a client (handshake, MessagePack frames) creating and
    /// looking up accounts and a transfer. Prints <see cref="EngineOutput"/> and <see cref="TcpOutput"/>
    /// and exits 0 only when the balances are right.
    /// </summary>
    public static void WriteScenario(string directory, string feed, string version)
    {
        Write(directory, feed, version, ["LedgerCore", "LedgerCore.Tcp"], """
            using System.Net;
            using System.Reflection;
            using LedgerCore;
            using LedgerCore.Tcp;

            foreach (Assembly packaged in new[] { typeof(LedgerEngine).Assembly, typeof(LedgerTcpClient).Assembly })
            {
                Console.WriteLine($"{packaged.GetName().Name} {packaged.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion}");
            }

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
                Console.WriteLine($"engine: failures={failures} debits={accounts[0].DebitsPosted} credits={accounts[1].CreditsPosted} feed={feed} recovered={accounts[1].CreditsPosted}");
                if (failures != 0 || accounts[0].DebitsPosted != 2_500 || accounts[1].CreditsPosted != 2_500) return 1;
            }
            Directory.Delete(directory, recursive: true);

            string tcpDirectory = Path.Combine(Path.GetTempPath(), "ledgercore-consumer-tcp-" + Guid.NewGuid().ToString("N"));
            await using (LedgerEngine engine = await LedgerEngine.OpenAsync(new LedgerOptions { DataDirectory = tcpDirectory }))
            await using (var server = new LedgerTcpServer(engine, new LedgerTcpServerOptions { Address = IPAddress.Loopback, Port = 0 }))
            {
                await server.StartAsync();
                await using LedgerTcpClient client = await LedgerTcpClient.ConnectAsync(new LedgerTcpClientOptions { Host = "127.0.0.1", Port = server.Port });
                int tcpFailures = (await client.CreateAccountsAsync(new[] { new Account { Id = 1, Ledger = 840, Code = 10 }, new Account { Id = 2, Ledger = 840, Code = 20 } })).Length;
                tcpFailures += (await client.CreateTransfersAsync(new[] { new Transfer { Id = 100, DebitAccountId = 1, CreditAccountId = 2, Amount = 700, Ledger = 840, Code = 1 } })).Length;
                Account[] accounts = await client.LookupAccountsAsync(new UInt128[] { 1, 2 });
                Transfer[] transfers = await client.LookupTransfersAsync(new UInt128[] { 100 });
                if (accounts.Length != 2 || transfers.Length != 1) return 1;
                Console.WriteLine($"tcp: failures={tcpFailures} debits={accounts[0].DebitsPosted} credits={accounts[1].CreditsPosted} transfer={transfers[0].Amount}");
                if (tcpFailures != 0 || accounts[0].DebitsPosted != 700 || accounts[1].CreditsPosted != 700 || transfers[0].Amount != 700) return 1;
            }
            Directory.Delete(tcpDirectory, recursive: true);
            return 0;
            """);
    }

    private static void Write(string directory, string feed, string version, string[] packageIds, string program)
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
        string references = string.Join("\n    ", packageIds.Select(id => $"""<PackageReference Include="{id}" Version="{version}" />"""));
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
                {references}
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(directory, "Program.cs"), program);
    }
}
