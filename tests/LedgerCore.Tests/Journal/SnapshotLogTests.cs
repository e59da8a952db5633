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
/// must still restore to the same reads by rebuilding them. Format 3 adds what change events are
/// computed from; a format 1 or 2 file restores without events before the restore, and the same
/// events as the original's after it.
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

    /// <summary>
    /// The same account reads; with <paramref name="sameHistory"/> also the same change events and
    /// digest, otherwise (a format without change events) none before the restore.
    /// </summary>
    private static void AssertSameReads(LedgerStateMachine expected, LedgerStateMachine actual, bool sameHistory = true)
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

        var all = new ChangeEventsFilter(0, 0, uint.MaxValue);
        if (sameHistory)
        {
            Assert.That(actual.GetChangeEvents(all), Is.EqualTo(expected.GetChangeEvents(all)));
            Assert.That(actual.ComputeDigest(), Is.EqualTo(expected.ComputeDigest()));
        }
        else
        {
            Assert.That(actual.GetChangeEvents(all), Is.Empty);
        }
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
        (FaultyStorage storage, string name) = OlderFormat(machine, 1);
        (LedgerStateMachine restored, _, _) = SnapshotFile.Read(storage, name, LedgerId);
        AssertSameReads(machine, restored, sameHistory: false);
        AssertSameEventsFromNowOn(machine, restored);
    }

    [Test]
    public void A_format_3_snapshot_with_32_bit_logs_restores_exactly()
    {
        LedgerStateMachine machine = Machine();
        (FaultyStorage storage, string name) = OlderFormat(machine, 3);
        (LedgerStateMachine restored, _, _) = SnapshotFile.Read(storage, name, LedgerId);
        AssertSameReads(machine, restored);
        Assert.That(restored.ComputeDigest(), Is.EqualTo(machine.ComputeDigest()));
        AssertSameEventsFromNowOn(machine, restored);
    }

    [Test]
    public void A_format_2_snapshot_without_change_events_still_restores()
    {
        LedgerStateMachine machine = Machine();
        (FaultyStorage storage, string name) = OlderFormat(machine, 2);
        (LedgerStateMachine restored, _, _) = SnapshotFile.Read(storage, name, LedgerId);
        AssertSameReads(machine, restored, sameHistory: false);
        AssertSameEventsFromNowOn(machine, restored);
    }

    /// <summary>
    /// Applies the same batches to both: transfers between accounts with long logs (their events are
    /// computed from the state at the restore), a pending transfer with a timeout, then its expiry.
    /// The events from the restore on are the original's.
    /// </summary>
    private static void AssertSameEventsFromNowOn(LedgerStateMachine expected, LedgerStateMachine actual)
    {
        ulong from = expected.CommitTimestamp + 1;
        foreach (LedgerStateMachine machine in new[] { expected, actual })
        {
            Transfer[] batch =
            [
                new() { Id = 10_001, DebitAccountId = 1, CreditAccountId = 2, Amount = 3, Ledger = 1, Code = 1 },
                new() { Id = 10_002, DebitAccountId = 2, CreditAccountId = 5, Amount = 4, Ledger = 1, Code = 1, Flags = TransferFlags.Pending, Timeout = 1 },
                new() { Id = 10_003, DebitAccountId = 5, CreditAccountId = 1, Amount = 5, Ledger = 1, Code = 1 },
            ];
            Assert.That(machine.CreateTransfers(batch, from + 1_000_000), Is.Empty);
            Assert.That(machine.CreateTransfers([], from + 3_000_000_000), Is.Empty);
        }

        var since = new ChangeEventsFilter(from, 0, uint.MaxValue);
        ChangeEvent[] events = actual.GetChangeEvents(since);
        Assert.That(events.Select(e => e.Type), Is.EqualTo(new[]
        {
            ChangeEventType.SinglePhase, ChangeEventType.TwoPhasePending, ChangeEventType.SinglePhase, ChangeEventType.TwoPhaseExpired,
        }));
        Assert.That(events, Is.EqualTo(expected.GetChangeEvents(since)));
        Assert.That(events[^1].DebitAccount, Is.EqualTo(actual.LookupAccounts([2]).Single()));
    }

    /// <summary>
    /// The machine's snapshot in an older format: format 3 is format 4 without each log's high halves
    /// (a count of 0 here), format 2 also without the trailing expiries and account events, format 1
    /// also without the logs before them; the version in the header, re-hashed.
    /// </summary>
    private static (FaultyStorage Storage, string Name) OlderFormat(LedgerStateMachine machine, int version)
    {
        var storage = new FaultyStorage();
        SnapshotFile.Write(storage, LedgerId, 7, 1, machine.CaptureImage());
        string name = SnapshotFile.Name(7);
        byte[] v4 = ReadAll(storage, name);

        var image = machine.CaptureImage();
        long tail = 8 + (16L * image.ExpiryCount) + 8;
        foreach (var log in image.Logs) tail += 8 + (4L * log.ExpiryCount) + 8 + (72L * log.CheckpointCount);
        Assert.That(image.Logs.Sum(log => log.CheckpointCount), Is.GreaterThan(Accounts), "accounts with several checkpoints");
        Assert.That(image.Logs.All(log => log.HighStartCount == 0), "a ledger below 2^32 transfers has no high halves");
        long logs = 8 + image.Logs.Sum(log => 16L + (4L * log.Count));
        int logsStart = (int)(v4.Length - 8 - tail - logs);

        var older = new List<byte>(v4[..logsStart]);
        if (version >= 2)
        {
            older.AddRange(v4[logsStart..(logsStart + 8)]);
            int at = logsStart + 8;
            foreach (var log in image.Logs)
            {
                int entries = 8 + (4 * log.Count);
                older.AddRange(v4[at..(at + entries)]);
                at += entries + 8; // past the count of high halves
            }

            if (version == 3) older.AddRange(v4[at..^8]);
        }

        byte[] bytes = [.. older];
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), version);
        if (version < 3) bytes.AsSpan(56, 8).Clear();
        bytes = [.. bytes, .. BitConverter.GetBytes(XxHash3.HashToUInt64(bytes))];
        WriteAll(storage, name, bytes);
        return (storage, name);
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
