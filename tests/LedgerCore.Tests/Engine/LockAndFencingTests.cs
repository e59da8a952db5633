using System.Runtime.InteropServices;
using LedgerCore.Journal;
using LedgerCore.Storage;
using LedgerCore.Tests.Faults;
using NUnit.Framework;

namespace LedgerCore.Tests.Engine;

/// <summary>One writer per directory (the lock), and fencing: epochs raised durably, stale writers rejected, stale records skipped.</summary>
public class LockAndFencingTests
{
    [Test]
    public async Task A_second_open_of_the_directory_is_locked_out_until_the_first_is_disposed()
    {
        using var dir = new TempDirectory();
        LedgerEngine first = await LedgerEngine.OpenAsync(Ledgers.Options(dir.Path)).Within();
        try
        {
            await Assert.ThrowsAsync<LedgerLockedException>(() => LedgerEngine.OpenAsync(Ledgers.Options(dir.Path)).Within());
            Assert.That(await first.CreateAccountsAsync(Ledgers.Accounts(1)).Within(), Is.Empty, "the holder is unaffected");
        }
        finally
        {
            await first.DisposeAsync().Within();
        }

        await using LedgerEngine second = await LedgerEngine.OpenAsync(Ledgers.Options(dir.Path)).Within();
        Assert.That(second.Epoch, Is.EqualTo(first.Epoch + 1));
        Assert.That(await second.LookupAccountsAsync(new UInt128[] { 1 }).Within(), Has.Length.EqualTo(1));
    }

    [Test]
    public async Task Every_open_raises_the_epoch_and_a_fencing_token_is_adopted()
    {
        using var dir = new TempDirectory();
        var epochs = new List<ulong>();
        foreach (ulong? token in new ulong?[] { null, null, 10, null, 11 })
        {
            await using LedgerEngine engine = await LedgerEngine.OpenAsync(Ledgers.Options(dir.Path, o => o.FencingToken = token)).Within();
            epochs.Add(engine.Epoch);
        }

        Assert.That(epochs, Is.EqualTo(new ulong[] { 1, 2, 10, 11, 11 }), "a token equal to the stored epoch is accepted");
    }

    [Test]
    public async Task A_fencing_token_below_the_stored_epoch_is_stale_and_changes_nothing()
    {
        using var dir = new TempDirectory();
        await using (LedgerEngine engine = await LedgerEngine.OpenAsync(Ledgers.Options(dir.Path, o => o.FencingToken = 7)).Within())
        {
            Assert.That(await engine.CreateAccountsAsync(Ledgers.Accounts(1)).Within(), Is.Empty);
        }

        await Assert.ThrowsAsync<StaleFencingTokenException>(() => LedgerEngine.OpenAsync(Ledgers.Options(dir.Path, o => o.FencingToken = 6)).Within());

        // The rejected open neither kept the lock nor touched the epoch.
        await using LedgerEngine next = await LedgerEngine.OpenAsync(Ledgers.Options(dir.Path)).Within();
        Assert.That(next.Epoch, Is.EqualTo(8));
    }

    [Test]
    public async Task The_raised_epoch_is_durable_before_open_returns()
    {
        using var dir = new TempDirectory();
        var storage = new FaultyStorage();
        await using (LedgerEngine engine = Ledgers.Open(dir.Path, storage))
        {
            Assert.That(engine.Epoch, Is.EqualTo(1));
        }

        LedgerEngine second = Ledgers.Open(dir.Path, storage);
        Assert.That(second.Epoch, Is.EqualTo(2));
        FaultyStorage afterPowerLoss = storage.Crash(); // taken while the second writer still runs
        await second.DisposeAsync().Within();

        await using LedgerEngine third = Ledgers.Open(dir.Path, afterPowerLoss);
        Assert.That(third.Epoch, Is.EqualTo(3), "a writer that opened before the crash stays fenced off");
    }

    [Test]
    public async Task Committed_batches_carry_the_epoch_of_the_writer_that_journaled_them()
    {
        using var dir = new TempDirectory();
        await using (LedgerEngine engine = await LedgerEngine.OpenAsync(Ledgers.Options(dir.Path)).Within())
        {
            await engine.CreateAccountsAsync(Ledgers.Accounts(2)).Within();
        }

        await using LedgerEngine second = await LedgerEngine.OpenAsync(Ledgers.Options(dir.Path)).Within();
        await second.CreateTransfersAsync(new[] { Ledgers.Transfer(1, 1, 2) }).Within();
        List<CommittedBatch> feed = await Ledgers.ReadFeedAsync(second);
        Assert.That(feed.Select(b => b.FencingToken), Is.EqualTo(new ulong[] { 1, 2 }));
    }

    /// <summary>
    /// A journal in which a stale writer (token 1) appended after a newer one (token 2), built record by
    /// record: recovery skips the stale record, counts it, and never merges it.
    /// </summary>
    [Test]
    public async Task A_record_from_an_older_epoch_after_a_newer_one_is_skipped_on_replay()
    {
        using var dir = new TempDirectory();
        var storage = new FaultyStorage();
        UInt128 ledgerId = 0xABCDEF;
        DataDirectory.Write(storage, ledgerId, epoch: 3);
        var records = new (ulong Token, Account[]? Accounts, Transfer[]? Transfers)[]
        {
            (2, Ledgers.Accounts(2), null),
            (2, null, new[] { Ledgers.Transfer(10, 1, 2, 5) }),
            (1, null, new[] { Ledgers.Transfer(11, 1, 2, 7) }),  // the stale writer
            (3, null, new[] { Ledgers.Transfer(12, 2, 1, 9) }),
        };
        var reference = new LedgerStateMachine();
        using (JournalWriter writer = JournalWriter.Open(storage, ledgerId, 1024 * 1024, 64 * 1024, nextSequence: 1, lastSegment: null, endOffset: 0))
        {
            ulong timestamp = 1_000;
            foreach ((ulong token, Account[]? accounts, Transfer[]? transfers) in records)
            {
                timestamp += 100;
                ReadOnlySpan<byte> payload = accounts is not null ? MemoryMarshal.AsBytes(accounts.AsSpan()) : MemoryMarshal.AsBytes(transfers.AsSpan());
                writer.Append(accounts is not null ? LedgerOperation.CreateAccounts : LedgerOperation.CreateTransfers, timestamp, token, payload.Length / 128, payload);
                if (token == 1) continue;
                if (accounts is not null) reference.CreateAccounts(accounts, timestamp);
                else reference.CreateTransfers(transfers, timestamp);
            }

            writer.Commit();
        }

        await using LedgerEngine engine = Ledgers.Open(dir.Path, storage);
        Assert.That(engine.Recovery.StaleRecordsSkipped, Is.EqualTo(1));
        Assert.That(engine.Recovery.RecordsReplayed, Is.EqualTo(3));
        Assert.That(engine.Epoch, Is.EqualTo(4));
        Assert.That(engine.LedgerId, Is.EqualTo(ledgerId));
        Assert.That((await engine.LookupTransfersAsync(new UInt128[] { 10, 11, 12 }).Within()).Select(t => t.Id), Is.EqualTo(new UInt128[] { 10, 12 }));
        Assert.That(await engine.ComputeDigestAsync().Within(), Is.EqualTo(reference.ComputeDigest()));

        // The change feed delivers what the state machine applied: the stale record (sequence 3) is left out,
        // from the start and from a sequence just before it.
        List<CommittedBatch> feed = await Ledgers.ReadFeedAsync(engine);
        Assert.That(feed.Select(b => b.Sequence), Is.EqualTo(new long[] { 1, 2, 4 }));
        Assert.That(feed.Select(b => b.FencingToken), Is.EqualTo(new ulong[] { 2, 2, 3 }));
        Assert.That((await Ledgers.ReadFeedAsync(engine, 3)).Select(b => b.Sequence), Is.EqualTo(new long[] { 4 }));

        // New writes get the new epoch and apply on top.
        Assert.That(await engine.CreateTransfersAsync(new[] { Ledgers.Transfer(13, 1, 2) }).Within(), Is.Empty);
        Assert.That((await Ledgers.ReadFeedAsync(engine, 5))[0].FencingToken, Is.EqualTo(4));
    }

    /// <summary>
    /// The metadata file lags the journal (restored from an older copy): a writer whose explicit token is
    /// below a token already in the journal is refused at open, as one below the metadata's epoch is,
    /// and nothing it could journal ever exists.
    /// </summary>
    [Test]
    public async Task A_token_below_one_in_the_journal_is_refused_at_open()
    {
        using var dir = new TempDirectory();
        var storage = new FaultyStorage();
        UInt128 ledgerId = 0xFEED;
        WriteAccountsRecord(storage, ledgerId, metadataEpoch: 2, recordToken: 3);

        var refused = Assert.Throws<StaleFencingTokenException>(() => Ledgers.Open(dir.Path, storage, o => o.FencingToken = 2));
        Assert.That(refused.Message, Does.Contain("journal"));
        Assert.That(DataDirectory.Read(storage)!.Value.Epoch, Is.EqualTo(2), "a refused writer raises nothing");

        // The journal's own token is accepted (not below it), and so is a later one.
        await using (LedgerEngine same = Ledgers.Open(dir.Path, storage, o => o.FencingToken = 3))
        {
            Assert.That(await same.CreateTransfersAsync(new[] { Ledgers.Transfer(1, 1, 2) }).Within(), Is.Empty);
        }

        await using LedgerEngine next = Ledgers.Open(dir.Path, storage.Crash());
        Assert.That(next.Recovery.StaleRecordsSkipped, Is.Zero);
        Assert.That(await next.LookupTransfersAsync(new UInt128[] { 1 }).Within(), Has.Length.EqualTo(1));
    }

    /// <summary>
    /// Without an explicit token the new epoch goes past both the metadata and the journal: with the
    /// metadata behind the journal, the old rule (metadata + 1) gave an epoch every write was refused with.
    /// </summary>
    [Test]
    public async Task The_default_epoch_goes_past_a_journal_ahead_of_the_metadata()
    {
        using var dir = new TempDirectory();
        var storage = new FaultyStorage();
        UInt128 ledgerId = 0xFEED;
        WriteAccountsRecord(storage, ledgerId, metadataEpoch: 1, recordToken: 5);

        await using LedgerEngine engine = Ledgers.Open(dir.Path, storage);
        Assert.That(engine.Epoch, Is.EqualTo(6));
        Assert.That(DataDirectory.Read(storage)!.Value.Epoch, Is.EqualTo(6));
        Assert.That(await engine.CreateTransfersAsync(new[] { Ledgers.Transfer(1, 1, 2) }).Within(), Is.Empty);
        Assert.That(await engine.LookupTransfersAsync(new UInt128[] { 1 }).Within(), Has.Length.EqualTo(1));
    }

    /// <summary>Metadata at <paramref name="metadataEpoch"/>, and a journal of one record creating accounts 1 and 2 under <paramref name="recordToken"/>.</summary>
    private static void WriteAccountsRecord(FaultyStorage storage, UInt128 ledgerId, ulong metadataEpoch, ulong recordToken)
    {
        DataDirectory.Write(storage, ledgerId, metadataEpoch);
        using JournalWriter writer = JournalWriter.Open(storage, ledgerId, 1024 * 1024, 64 * 1024, nextSequence: 1, lastSegment: null, endOffset: 0);
        Account[] accounts = Ledgers.Accounts(2);
        writer.Append(LedgerOperation.CreateAccounts, 1_000, recordToken, accounts.Length, MemoryMarshal.AsBytes(accounts.AsSpan()));
        writer.Commit();
    }
}
