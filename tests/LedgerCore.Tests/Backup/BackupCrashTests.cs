using System.Globalization;
using System.Reflection;
using LedgerCore.Backup;
using LedgerCore.Tests.Engine;
using NUnit.Framework;

namespace LedgerCore.Tests.Backup;

/// <summary>
/// A backup killed with SIGKILL: the child (tests/LedgerCore.CrashChild) writes transfers and backs up
/// one directory after another until it is killed at a random moment. Every backup it reported opens
/// with its digest; the one it was writing is either complete (killed after the manifest's rename) or
/// refused on open, never a ledger that opens silently.
/// </summary>
public class BackupCrashTests
{
    private const int Rounds = 3;

    [Test]
    public async Task A_backup_killed_midway_is_refused_on_open_and_every_completed_one_restores()
    {
        string child = typeof(BackupCrashTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "CrashChildPath").Value!;
        var random = new Random(TestContext.CurrentContext.Random.Next());
        int refused = 0;
        for (int round = 0; round < Rounds; round++)
        {
            using var dir = new TempDirectory();
            string root = dir.File("backups");
            int killAfterMs = random.Next(200, 1201);
            List<string> lines = await CrashProcessTests.RunAndKillLinesAsync(child, [dir.File("source"), "0", root], killAfterMs);
            Dictionary<string, UInt128> reported = lines.Where(l => l.StartsWith("backup ", StringComparison.Ordinal))
                .Select(l => l.Split(' ')).ToDictionary(p => Path.Combine(root, p[1]), p => UInt128.Parse(p[3], CultureInfo.InvariantCulture));
            string[] found = Directory.Exists(root) ? Directory.GetDirectories(root) : [];
            TestContext.Out.WriteLine($"round {round}: killed after {killAfterMs} ms, {reported.Count} backups reported, {found.Length} directories");

            foreach (string backup in found)
            {
                bool complete = BackupIsComplete(backup);
                if (reported.TryGetValue(backup, out UInt128 digest))
                {
                    Assert.That(complete, Is.True, $"{backup} was reported done");
                    await using LedgerEngine restored = await LedgerEngine.OpenAsync(Ledgers.Options(backup)).Within();
                    Assert.That(await restored.ComputeDigestAsync().Within(), Is.EqualTo(digest));
                }
                else if (complete)
                {
                    // Killed after the rename that completes it, before it was reported: a whole backup all the same.
                    await using LedgerEngine restored = await LedgerEngine.OpenAsync(Ledgers.Options(backup)).Within();
                }
                else if (Directory.EnumerateFileSystemEntries(backup).Any())
                {
                    await Assert.ThrowsAsync<LedgerCorruptedException>(() => LedgerEngine.OpenAsync(Ledgers.Options(backup)).Within(), $"{backup} is an interrupted backup");
                    refused++;
                }
            }

            Assert.That(found.Length - reported.Count, Is.InRange(0, 1), "only the backup in progress at the kill is unreported");
        }

        TestContext.Out.WriteLine($"{refused} interrupted backups refused");
    }

    /// <summary>Whether the directory's manifest is a complete one (without opening the directory as a ledger).</summary>
    private static bool BackupIsComplete(string directory)
    {
        try
        {
            return BackupManifest.Read(new Storage.FileStorage(directory)) is not null;
        }
        catch (LedgerCorruptedException)
        {
            return false;
        }
    }
}
