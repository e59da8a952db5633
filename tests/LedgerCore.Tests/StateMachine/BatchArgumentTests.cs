using NUnit.Framework;
using static LedgerCore.Tests.StateMachine.TestLedger;

namespace LedgerCore.Tests.StateMachine;

/// <summary>
/// Arguments the caller gets wrong throw <see cref="ArgumentException"/> and change nothing: a batch of
/// more than 8190 events, or a batch timestamp that does not advance past the last applied one.
/// </summary>
public class BatchArgumentTests
{
    [Test]
    public void Batch_of_8190_events_is_accepted()
    {
        var ledger = new TestLedger();
        var accounts = Enumerable.Range(1, LedgerStateMachine.BatchEventsMax).Select(i => Acct((UInt128)i)).ToArray();
        Assert.That(ledger.CreateAccounts(accounts), Is.Empty);
        Assert.That(ledger.Machine.AccountCount, Is.EqualTo(8190));
    }

    [Test]
    public void Batch_of_more_than_8190_events_throws_and_changes_nothing()
    {
        var ledger = WithAccounts();
        var before = ledger.Machine.ComputeDigest();
        var accounts = Enumerable.Range(10, LedgerStateMachine.BatchEventsMax + 1).Select(i => Acct((UInt128)i)).ToArray();
        var transfers = Enumerable.Range(10, LedgerStateMachine.BatchEventsMax + 1).Select(i => Xfer((UInt128)i)).ToArray();

        Assert.That(() => ledger.Machine.CreateAccounts(accounts, ledger.Now + Second), Throws.ArgumentException);
        Assert.That(() => ledger.Machine.CreateTransfers(transfers, ledger.Now + Second), Throws.ArgumentException);
        Assert.That(ledger.Machine.ComputeDigest(), Is.EqualTo(before));
        Assert.That(ledger.Machine.CommitTimestamp, Is.EqualTo(ledger.Now));
    }

    [Test]
    public void Timestamp_not_advancing_throws_and_changes_nothing()
    {
        var ledger = WithAccounts();
        ledger.MustCreateTransfers(Xfer(10, TransferFlags.Pending) with { Timeout = 1 });
        var before = ledger.Machine.ComputeDigest();
        ulong last = ledger.Machine.CommitTimestamp;

        // Same timestamp, an earlier one, and a batch whose first event would not be after the last.
        Assert.That(() => ledger.Machine.CreateTransfers([Xfer(11)], last), Throws.ArgumentException);
        Assert.That(() => ledger.Machine.CreateAccounts([Acct(9)], last - 1), Throws.ArgumentException);
        Assert.That(() => ledger.Machine.CreateTransfers([Xfer(11), Xfer(12)], last + 1), Throws.ArgumentException);
        Assert.That(() => ledger.Machine.CreateTransfers([], last), Throws.ArgumentException);

        Assert.That(ledger.Machine.ComputeDigest(), Is.EqualTo(before));
        Assert.That(ledger.Machine.CommitTimestamp, Is.EqualTo(last));

        // The smallest timestamps that do advance are accepted.
        Assert.That(ledger.Machine.CreateTransfers([Xfer(11), Xfer(12)], last + 2), Is.Empty);
        Assert.That(ledger.Machine.LookupTransfers([11, 12]).Select(t => t.Timestamp), Is.EqualTo(new[] { last + 1, last + 2 }));
    }

    [Test]
    public void Rejected_batch_far_in_the_future_does_not_expire_anything()
    {
        var ledger = WithAccounts();
        ledger.MustCreateTransfers(Xfer(10, TransferFlags.Pending) with { Timeout = 1 });
        var tooMany = Enumerable.Range(20, LedgerStateMachine.BatchEventsMax + 1).Select(i => Xfer((UInt128)i)).ToArray();
        Assert.That(() => ledger.Machine.CreateTransfers(tooMany, ledger.Now + (10 * Second)), Throws.ArgumentException);
        Assert.That(ledger.Account(1).DebitsPending, Is.EqualTo((UInt128)10));
    }

    [Test]
    public void Timestamp_beyond_63_bits_throws()
    {
        var ledger = new TestLedger();
        Assert.That(() => ledger.Machine.CreateAccounts([Acct(1)], 1UL << 63), Throws.ArgumentException);
        Assert.That(ledger.Machine.AccountCount, Is.Zero);
    }

    [Test]
    public void Event_timestamps_within_a_batch()
    {
        var ledger = new TestLedger();
        Assert.That(ledger.Machine.CreateAccounts([Acct(1), Acct(2), Acct(3)], 1_000), Is.Empty);
        Assert.That(ledger.Machine.LookupAccounts([1, 2, 3]).Select(a => a.Timestamp), Is.EqualTo(new[] { 998UL, 999UL, 1_000UL }));
        Assert.That(ledger.Machine.CommitTimestamp, Is.EqualTo(1_000UL));
    }
}
