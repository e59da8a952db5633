using LedgerCore.Tests.Faults;
using NUnit.Framework;

namespace LedgerCore.Tests.Engine;

/// <summary>Single, placed storage faults: what the callers see, what the engine does next, what a restart finds.</summary>
public class FaultTests
{
    private static readonly Func<string, bool> JournalOnly = static name => name.StartsWith("journal-", StringComparison.Ordinal);

    // Journal writes and fsyncs are counted from the segment header (1); the first group is 2, the second 3.
    [TestCase(false, FaultyStorage.Eio)]
    [TestCase(false, FaultyStorage.Enospc)]
    [TestCase(true, FaultyStorage.Eio)]
    [TestCase(true, FaultyStorage.Enospc)]
    public async Task A_failed_journal_write_or_fsync_faults_the_engine_and_nothing_more_is_acknowledged(bool fsync, string message)
    {
        using var dir = new TempDirectory();
        var storage = new FaultyStorage { Fault = fsync ? FaultKind.FailFlush : FaultKind.FailWrite, FaultAt = 3, FaultMessage = message, FaultFilter = JournalOnly };
        await using (LedgerEngine engine = Ledgers.Open(dir.Path, storage))
        {
            Assert.That(await engine.CreateAccountsAsync(Ledgers.Accounts(2)).Within(), Is.Empty);
            Assert.That(engine.IsFaulted, Is.False);

            IOException? failure = await Assert.ThrowsAsync<IOException>(() => engine.CreateTransfersAsync(new[] { Ledgers.Transfer(10, 1, 2) }).Within());
            Assert.That(failure!.Message, Does.Contain(message), "the group's caller gets the I/O error itself: outcome unknown");
            Assert.That(engine.IsFaulted, Is.True);
            Assert.That(engine.Fault, Is.SameAs(failure));
            Assert.That(engine.CommittedSequence, Is.EqualTo(1));

            int writes = storage.Writes, flushes = storage.Flushes;
            LedgerFaultedException? later = await Assert.ThrowsAsync<LedgerFaultedException>(() => engine.CreateTransfersAsync(new[] { Ledgers.Transfer(11, 1, 2) }).Within());
            Assert.That(later!.InnerException, Is.SameAs(failure));
            await Assert.ThrowsAsync<LedgerFaultedException>(() => engine.CreateAccountsAsync(Ledgers.Accounts(1, firstId: 50)).Within());
            Assert.That((storage.Writes, storage.Flushes), Is.EqualTo((writes, flushes)), "a faulted engine writes nothing more");
            Assert.That(engine.CommittedSequence, Is.EqualTo(1));

            // Reads are still answered from the applied state.
            Assert.That(await engine.LookupAccountsAsync(new UInt128[] { 1, 2 }).Within(), Has.Length.EqualTo(2));
            Assert.That(await engine.LookupTransfersAsync(new UInt128[] { 10, 11 }).Within(), Is.Empty);
        }

        // After a power loss only the first group survives.
        await using LedgerEngine reopened = Ledgers.Open(dir.Path, storage.Crash());
        Assert.That(reopened.CommittedSequence, Is.EqualTo(1));
        Assert.That(await reopened.LookupAccountsAsync(new UInt128[] { 1, 2 }).Within(), Has.Length.EqualTo(2));
        Assert.That(await reopened.LookupTransfersAsync(new UInt128[] { 10, 11 }).Within(), Is.Empty);
        Assert.That(reopened.IsFaulted, Is.False);
        Assert.That(await reopened.CreateTransfersAsync(new[] { Ledgers.Transfer(10, 1, 2) }).Within(), Is.Empty, "resubmitting the unknown outcome is safe");
    }

    [Test]
    public async Task A_partial_write_left_by_a_failed_write_is_cut_on_reopen_without_a_crash()
    {
        using var dir = new TempDirectory();
        var storage = new FaultyStorage { Fault = FaultKind.FailWrite, FaultAt = 3, FaultFilter = JournalOnly, PartialWriteBytes = 100 };
        await using (LedgerEngine engine = Ledgers.Open(dir.Path, storage))
        {
            Assert.That(await engine.CreateAccountsAsync(Ledgers.Accounts(2)).Within(), Is.Empty);
            await Assert.ThrowsAsync<IOException>(() => engine.CreateTransfersAsync(new[] { Ledgers.Transfer(10, 1, 2) }).Within());
        }

        // Same process, same page cache: the 100 bytes of the failed write are still in the file.
        await using LedgerEngine reopened = Ledgers.Open(dir.Path, storage);
        Assert.That(reopened.Recovery.TruncatedBytes, Is.EqualTo(100));
        Assert.That(reopened.Recovery.TruncationReason, Is.Not.Null);
        Assert.That(reopened.CommittedSequence, Is.EqualTo(1));
        Assert.That(await reopened.CreateTransfersAsync(new[] { Ledgers.Transfer(10, 1, 2) }).Within(), Is.Empty);
        Assert.That(await reopened.LookupTransfersAsync(new UInt128[] { 10 }).Within(), Has.Length.EqualTo(1));
    }

    [Test]
    public async Task A_write_whose_fsync_failed_may_survive_in_the_page_cache_and_is_then_replayed_whole()
    {
        using var dir = new TempDirectory();
        var storage = new FaultyStorage { Fault = FaultKind.FailFlush, FaultAt = 3, FaultFilter = JournalOnly };
        await using (LedgerEngine engine = Ledgers.Open(dir.Path, storage))
        {
            Assert.That(await engine.CreateAccountsAsync(Ledgers.Accounts(2)).Within(), Is.Empty);
            await Assert.ThrowsAsync<IOException>(() => engine.CreateTransfersAsync(new[] { Ledgers.Transfer(10, 1, 2), Ledgers.Transfer(11, 2, 1) }).Within());
        }

        // The outcome the caller was told is unknown turns out to be "committed": both events, never one.
        await using LedgerEngine reopened = Ledgers.Open(dir.Path, storage);
        Assert.That(reopened.CommittedSequence, Is.EqualTo(2));
        Assert.That(await reopened.LookupTransfersAsync(new UInt128[] { 10, 11 }).Within(), Has.Length.EqualTo(2));
    }

    [Test]
    public async Task A_failed_metadata_write_fails_open_and_releases_the_lock()
    {
        using var dir = new TempDirectory();
        var storage = new FaultyStorage { Fault = FaultKind.FailFlush, FaultAt = 1 };
        Assert.Throws<IOException>(() => Ledgers.Open(dir.Path, storage));
        Assert.That(storage.FaultedFile, Is.EqualTo("ledger.meta.tmp"));

        await using LedgerEngine engine = Ledgers.Open(dir.Path, storage);
        Assert.That(await engine.CreateAccountsAsync(Ledgers.Accounts(1)).Within(), Is.Empty);
    }

    [Test]
    public async Task A_failed_snapshot_is_reported_but_does_not_fault_the_engine()
    {
        using var dir = new TempDirectory();
        var storage = new FaultyStorage { Fault = FaultKind.FailFlush, FaultAt = 1, FaultFilter = static n => n.StartsWith("snapshot-", StringComparison.Ordinal) };
        UInt128 digest;
        await using (LedgerEngine engine = Ledgers.Open(dir.Path, storage, o => o.SnapshotIntervalEvents = 10))
        {
            Assert.That(await engine.CreateAccountsAsync(Ledgers.Accounts(4)).Within(), Is.Empty);
            Assert.That(await engine.CreateTransfersAsync(Ledgers.Transfers(1, 10)).Within(), Is.Empty);
            using (var cts = new CancellationTokenSource(Ledgers.Timeout))
            {
                while (engine.LastSnapshotError is null) await Task.Delay(5, cts.Token);
            }

            Assert.That(engine.LastSnapshotError, Is.InstanceOf<IOException>());
            Assert.That(engine.IsFaulted, Is.False);
            Assert.That(await engine.CreateTransfersAsync(Ledgers.Transfers(100, 10)).Within(), Is.Empty, "writes go on");
            digest = await engine.ComputeDigestAsync().Within();
        }

        await using LedgerEngine reopened = Ledgers.Open(dir.Path, storage.Crash());
        Assert.That(await reopened.ComputeDigestAsync().Within(), Is.EqualTo(digest));
    }
}
