using System.Buffers.Binary;
using System.IO.Hashing;
using LedgerCore.Journal;
using LedgerCore.Storage;
using LedgerCore.Tests.Faults;
using NUnit.Framework;

namespace LedgerCore.Tests.Journal;

/// <summary>
/// Snapshot format 2 stores each account's transfer log; restart reads it instead of rebuilding it.
/// The logs read back must equal the logs the original machine built, and a format 1 file (no logs)
/// must still restore to the same reads by rebuilding them.
/// </summary>
public class SnapshotLogTests
{
    private static readonly UInt128 LedgerId = 5;
    private const int Accounts = 30;

    private static LedgerStateMachine Machine()
    {
        var machine = new LedgerStateMachine();
        Account[] accounts = [.. Enumerable.Range(1, Accounts).Select(i => new Account { Id = (UInt128)i, Ledger = 1, Code = 1, Flags = i % 5 == 0 ? AccountFlags.History : AccountFlags.None })];
        Assert.That(machine.CreateAccounts(accounts, 1_000), Is.Empty);
        var random = new Random(3);
        ulong timestamp = 1_000;
        for (int b = 0; b < 20; b++)
        {
            var batch = new Transfer[100];
            for (int i = 0; i < batch.Length; i++)
            {
                ulong debit = (ulong)random.Next(1, Accounts + 1);
                ulong credit = (ulong)random.Next(1, Accounts);
                if (credit >= debit) credit++;
                batch[i] = new Transfer { Id = (UInt128)((b * 100) + i + 1), DebitAccountId = debit, CreditAccountId = credit, Amount = 1, Ledger = 1, Code = 1 };
            }

            timestamp += 1_000_000;
            Assert.That(machine.CreateTransfers(batch, timestamp), Is.Empty);
        }

        return machine;
    }

    private static void AssertSameReads(LedgerStateMachine expected, LedgerStateMachine actual)
    {
        for (int id = 1; id <= Accounts; id++)
        {
            foreach (AccountFilterFlags flags in new[] { AccountFilterFlags.Debits | AccountFilterFlags.Credits, AccountFilterFlags.Debits, AccountFilterFlags.Credits | AccountFilterFlags.Reversed })
            {
                var filter = new AccountFilter { AccountId = (UInt128)id, Limit = 8190, Flags = flags };
                Assert.That(actual.GetAccountTransfers(filter), Is.EqualTo(expected.GetAccountTransfers(filter)), $"account {id}, {flags}");
                Assert.That(actual.GetAccountBalances(filter), Is.EqualTo(expected.GetAccountBalances(filter)), $"balances of account {id}, {flags}");
            }
        }

        Assert.That(actual.ComputeDigest(), Is.EqualTo(expected.ComputeDigest()));
    }

    [Test]
    public void Stored_logs_restore_the_same_account_transfers()
    {
        LedgerStateMachine machine = Machine();
        var storage = new FaultyStorage();
        SnapshotFile.Write(storage, LedgerId, 7, 1, machine.CaptureImage());

        (LedgerStateMachine restored, _, _) = SnapshotFile.Read(storage, SnapshotFile.Name(7), LedgerId);
        AssertSameReads(machine, restored);
    }

    [Test]
    public void A_format_1_snapshot_without_logs_still_restores_by_rebuilding_them()
    {
        LedgerStateMachine machine = Machine();
        var storage = new FaultyStorage();
        SnapshotFile.Write(storage, LedgerId, 7, 1, machine.CaptureImage());
        string name = SnapshotFile.Name(7);
        byte[] v2 = ReadAll(storage, name);

        // Format 1 is format 2 without the trailing logs section, version 1 in the header, re-hashed.
        long logsBytes = 8;
        for (int id = 1; id <= Accounts; id++)
        {
            logsBytes += 8 + (4L * machine.GetAccountTransfers(new AccountFilter { AccountId = (UInt128)id, Limit = 8190, Flags = AccountFilterFlags.Debits | AccountFilterFlags.Credits }).Length);
        }

        byte[] v1 = v2[..(int)(v2.Length - 8 - logsBytes)];
        BinaryPrimitives.WriteInt32LittleEndian(v1.AsSpan(8), 1);
        v1 = [.. v1, .. BitConverter.GetBytes(XxHash3.HashToUInt64(v1))];
        WriteAll(storage, name, v1);

        (LedgerStateMachine restored, _, _) = SnapshotFile.Read(storage, name, LedgerId);
        AssertSameReads(machine, restored);
    }

    private static byte[] ReadAll(FaultyStorage storage, string name)
    {
        using IStorageFile file = storage.OpenRead(name);
        var bytes = new byte[file.Length];
        Assert.That(file.Read(0, bytes), Is.EqualTo(bytes.Length));
        return bytes;
    }

    private static void WriteAll(FaultyStorage storage, string name, byte[] bytes)
    {
        using IStorageFile file = storage.Open(name, create: false);
        file.Truncate(0);
        file.Write(0, bytes);
        file.Flush();
    }
}
