using NUnit.Framework;
using static LedgerCore.Tests.StateMachine.TestLedger;

namespace LedgerCore.Tests.StateMachine;

/// <summary>GetChangeEvents: the reference's DSL test "get_change_events", its filter rules, and our stamping of expiries.</summary>
public class ChangeEventTests
{
    private static Transfer Pending(UInt128 id, UInt128 debit, UInt128 credit, UInt128 amount, uint timeout, TransferFlags extra = TransferFlags.None) =>
        Xfer(id, debit, credit, amount, TransferFlags.Pending | extra) with { Timeout = timeout };

    /// <summary>Type, transfer, amount, then each account's id, four balances and whether it is closed.</summary>
    private static string Show(ChangeEvent e) =>
        $"{e.Type} T{e.Transfer.Id} {e.Transfer.Amount} P{e.Transfer.PendingId} " +
        $"D{e.DebitAccount.Id} {e.DebitAccount.DebitsPending} {e.DebitAccount.DebitsPosted} {e.DebitAccount.CreditsPending} {e.DebitAccount.CreditsPosted}{Closed(e.DebitAccount)} " +
        $"C{e.CreditAccount.Id} {e.CreditAccount.DebitsPending} {e.CreditAccount.DebitsPosted} {e.CreditAccount.CreditsPending} {e.CreditAccount.CreditsPosted}{Closed(e.CreditAccount)}";

    private static string Closed(Account a) => (a.Flags & AccountFlags.Closed) != 0 ? " CLSD" : "";

    [Test]
    public void The_reference_example_single_phase_pending_expired_posted_voided_and_closing()
    {
        var ledger = new TestLedger();
        ledger.MustCreateAccounts(Acct(1), Acct(2), Acct(3), Acct(4));
        ledger.MustCreateTransfers(
            Xfer(1, 1, 2, 10),
            Pending(2, 1, 2, 11, 0), // never expires
            Pending(3, 1, 2, 12, 1), // expires
            Pending(4, 1, 2, 13, 2), // posted
            Pending(5, 1, 2, 14, 2), // voided
            Pending(6, 3, 1, 0, 0, TransferFlags.ClosingDebit), // closes account 3
            Pending(7, 1, 4, 0, 0, TransferFlags.ClosingCredit)); // closes account 4
        ledger.Advance(Second);
        ledger.MustCreateTransfers(
            Post(14, 4, UInt128.MaxValue),
            Void(15, 5),
            Void(16, 6), // reopens account 3
            Void(17, 7)); // reopens account 4

        ChangeEvent[] first = ledger.Machine.GetChangeEvents(new ChangeEventsFilter(0, ledger.Transfer(6).Timestamp, 5));
        Assert.That(first.Select(Show), Is.EqualTo(new[]
        {
            "SinglePhase T1 10 P0 D1 0 10 0 0 C2 0 0 0 10",
            "TwoPhasePending T2 11 P0 D1 11 10 0 0 C2 0 0 11 10",
            "TwoPhasePending T3 12 P0 D1 23 10 0 0 C2 0 0 23 10",
            "TwoPhasePending T4 13 P0 D1 36 10 0 0 C2 0 0 36 10",
            "TwoPhasePending T5 14 P0 D1 50 10 0 0 C2 0 0 50 10",
        }));

        ChangeEvent[] rest = ledger.Machine.GetChangeEvents(new ChangeEventsFilter(ledger.Transfer(6).Timestamp, 0, uint.MaxValue));
        Assert.That(rest.Select(Show), Is.EqualTo(new[]
        {
            "TwoPhasePending T6 0 P0 D3 0 0 0 0 CLSD C1 50 10 0 0",
            "TwoPhasePending T7 0 P0 D1 50 10 0 0 C4 0 0 0 0 CLSD",
            "TwoPhaseExpired T3 12 P0 D1 38 10 0 0 C2 0 0 38 10",
            "TwoPhasePosted T14 13 P4 D1 25 23 0 0 C2 0 0 25 23",
            "TwoPhaseVoided T15 14 P5 D1 11 23 0 0 C2 0 0 11 23",
            "TwoPhaseVoided T16 0 P6 D3 0 0 0 0 C1 11 23 0 0",
            "TwoPhaseVoided T17 0 P7 D1 11 23 0 0 C4 0 0 0 0",
        }));

        // As the reference: an event's timestamp is its transfer's, except an expiry's, which is its own:
        // at or after the deadline, before the batch that released it.
        Transfer t3 = ledger.Transfer(3);
        ChangeEvent expiry = rest[2];
        Assert.That(expiry.Transfer, Is.EqualTo(t3));
        Assert.That(expiry.Timestamp, Is.GreaterThanOrEqualTo(t3.Timestamp + Second).And.LessThan(ledger.Transfer(14).Timestamp));
        Assert.That(rest.Where(e => e.Type != ChangeEventType.TwoPhaseExpired).Select(e => e.Timestamp), Is.EqualTo(rest.Where(e => e.Type != ChangeEventType.TwoPhaseExpired).Select(e => e.Transfer.Timestamp)));
        Assert.That(expiry.DebitAccount with { DebitsPending = 0, DebitsPosted = 0, CreditsPending = 0, CreditsPosted = 0 },
            Is.EqualTo(ledger.Account(1) with { DebitsPending = 0, DebitsPosted = 0, CreditsPending = 0, CreditsPosted = 0 }), "fixed fields from the account");
    }

    [TestCase(0UL, 0UL, 0U, TestName = "Limit zero")]
    [TestCase(5UL, 4UL, 10U, TestName = "Min above max")]
    [TestCase(1UL << 63, 0UL, 10U, TestName = "Min beyond 63 bits")]
    [TestCase(0UL, 1UL << 63, 10U, TestName = "Max beyond 63 bits")]
    public void An_invalid_filter_gives_nothing(ulong min, ulong max, uint limit)
    {
        TestLedger ledger = TestLedger.WithAccounts();
        ledger.MustCreateTransfers(Xfer(1), Xfer(2));
        Assert.That(ledger.Machine.GetChangeEvents(new ChangeEventsFilter(min, max, limit)), Is.Empty);
        Assert.That(ledger.Machine.GetChangeEvents(new ChangeEventsFilter(0, 0, limit == 0 ? 1 : limit)), Is.Not.Empty, "the same ledger has events");
    }

    [Test]
    public void A_read_returns_at_most_the_reference_limit()
    {
        TestLedger ledger = TestLedger.WithAccounts();
        for (int b = 0; b < 3; b++)
        {
            ledger.MustCreateTransfers([.. Enumerable.Range(1 + (b * 1000), 1000).Select(i => Xfer((UInt128)i))]);
        }

        Assert.That(ledger.Machine.GetChangeEvents(new ChangeEventsFilter(0, 0, uint.MaxValue)), Has.Length.EqualTo(LedgerStateMachine.ChangeEventsMax));
        Assert.That(LedgerStateMachine.ChangeEventsMax, Is.EqualTo(((1 << 20) - 256) / 384), "the reference's message body over its event size");
    }

    [Test]
    public void A_rolled_back_chain_leaves_no_events()
    {
        TestLedger ledger = TestLedger.WithAccounts();
        CreateTransfersResult[] failed = ledger.CreateTransfers(Xfer(1, TransferFlags.Linked), Xfer(2, 1, 3, 10), Xfer(3));
        Assert.That(failed.Select(r => r.Index), Is.EqualTo(new[] { 0, 1 }));
        Assert.That(ledger.Machine.GetChangeEvents(new ChangeEventsFilter(0, 0, 10)).Select(e => e.Transfer.Id), Is.EqualTo(new UInt128[] { 3 }));
    }

    [Test]
    public void Expiries_whose_stamps_do_not_fit_before_the_batch_wait_for_a_later_one()
    {
        var ledger = new TestLedger();
        ledger.MustCreateAccounts(Acct(1), Acct(2));
        ledger.MustCreateTransfers(Pending(1, 1, 2, 5, 1), Pending(2, 1, 2, 7, 1));
        ulong previous = ledger.Machine.CommitTimestamp;
        ulong deadline1 = ledger.Transfer(1).Timestamp + Second;
        ulong deadline2 = ledger.Transfer(2).Timestamp + Second;

        // A batch of three at deadline2 + 2: its first slot is deadline2, so only transfer 1 expires
        // (stamped at its deadline). Transfer 2 is past its deadline all the same: posting it fails.
        ulong batch = deadline2 + 2;
        Assert.That(ledger.Machine.CreateTransfers([Xfer(3), Post(4, 2, UInt128.MaxValue), Xfer(5)], batch).Select(r => (r.Index, r.Result)),
            Is.EqualTo(new[] { (1, CreateTransferResult.PendingTransferExpired) }));
        Assert.That(ledger.Account(1).DebitsPending, Is.EqualTo((UInt128)7), "transfer 2 still holds its amount");

        // One event after the previous batch: no slot before it is free, so transfer 2 waits again.
        Assert.That(ledger.Machine.CreateTransfers([Xfer(6)], batch + 1), Is.Empty);
        Assert.That(ledger.Account(1).DebitsPending, Is.EqualTo((UInt128)7));

        // With a free slot it expires there: after the previous batch, not at its long-past deadline.
        Assert.That(ledger.Machine.CreateTransfers([Xfer(7)], batch + 3), Is.Empty);
        ChangeEvent[] events = ledger.Machine.GetChangeEvents(new ChangeEventsFilter(previous + 1, 0, 10));
        Assert.That(events.Select(e => (e.Type, e.Transfer.Id, e.Timestamp, e.DebitAccount.DebitsPending)), Is.EqualTo(new[]
        {
            (ChangeEventType.TwoPhaseExpired, (UInt128)1, deadline1, (UInt128)7),
            (ChangeEventType.SinglePhase, (UInt128)3, deadline2, (UInt128)7),
            (ChangeEventType.SinglePhase, (UInt128)5, deadline2 + 2, (UInt128)7),
            (ChangeEventType.SinglePhase, (UInt128)6, batch + 1, (UInt128)7),
            (ChangeEventType.TwoPhaseExpired, (UInt128)2, batch + 2, (UInt128)0),
            (ChangeEventType.SinglePhase, (UInt128)7, batch + 3, (UInt128)0),
        }));
        Assert.That(ledger.Machine.CommitTimestamp, Is.EqualTo(batch + 3));
    }

    [Test]
    public void Accounts_after_each_event_hold_across_checkpoints_expiries_closing_and_rolled_back_chains()
    {
        // Three accounts, so each has hundreds of events: most are computed from a checkpoint.
        var ledger = new TestLedger();
        ledger.MustCreateAccounts(Acct(1), Acct(2), Acct(3));
        var random = new Random(7);
        var pending = new List<UInt128>();
        UInt128 id = 1;
        for (int b = 0; b < 150; b++)
        {
            var batch = new List<Transfer>();
            int count = random.Next(1, 12);
            for (int i = 0; i < count; i++)
            {
                ulong debit = (ulong)random.Next(1, 4);
                ulong credit = (debit % 3) + 1;
                Transfer t = random.Next(20) switch
                {
                    < 4 => Pending(id, debit, credit, (UInt128)random.Next(1, 9), (uint)random.Next(0, 2)),
                    4 => Pending(id, debit, credit, 0, 1, random.Next(2) == 0 ? TransferFlags.ClosingDebit : TransferFlags.ClosingCredit),
                    < 8 when pending.Count > 0 => Post(id, pending[random.Next(pending.Count)], UInt128.MaxValue),
                    < 11 when pending.Count > 0 => Void(id, pending[random.Next(pending.Count)]),
                    _ => Xfer(id, debit, credit, (UInt128)random.Next(1, 9)),
                };
                if ((t.Flags & TransferFlags.Pending) != 0) pending.Add(id);

                // Some chains fail at their end (an unknown account), rolling back what they appended.
                if (random.Next(8) == 0) batch.AddRange([t with { Flags = t.Flags | TransferFlags.Linked }, Xfer(id + 100_000, 1, 9, 1)]);
                else batch.Add(t);
                id++;
            }

            ledger.Advance((ulong)random.Next(0, 3) * Second / 2);
            ledger.CreateTransfers([.. batch]);
        }

        ledger.Advance(3 * Second);
        ledger.MustCreateTransfers();
        List<ChangeEvent> events = Properties.ChangeEventProperties.ReadAll(ledger.Machine, 100);
        Assert.That(events.Count(e => e.Type == ChangeEventType.TwoPhaseExpired), Is.GreaterThan(10));
        Assert.That(events.Count(e => (e.DebitAccount.Flags & AccountFlags.Closed) != 0), Is.GreaterThan(10));
        Assert.That(events, Has.Count.GreaterThan(3 * 4 * 32));
        Properties.ChangeEventProperties.CheckEachEventFollowsFromTheLast(ledger.Machine, events);

        // A snapshot keeps the checkpoints (those of rolled-back chain links gone) and the expiries.
        var storage = new Faults.FaultyStorage();
        LedgerCore.Journal.SnapshotFile.Write(storage, 1, 1, 1, ledger.Machine.CaptureImage());
        LedgerStateMachine restored = LedgerCore.Journal.SnapshotFile.Read(storage, LedgerCore.Journal.SnapshotFile.Name(1), 1).Machine;
        Assert.That(Properties.ChangeEventProperties.ReadAll(restored, 100), Is.EqualTo(events));
        Assert.That(new[] { events.Last(e => e.DebitAccount.Id == 1 || e.CreditAccount.Id == 1) }.Select(e => e.DebitAccount.Id == 1 ? e.DebitAccount : e.CreditAccount),
            Is.EqualTo(new[] { ledger.Account(1) }));
    }

    [Test]
    public void An_account_closed_across_checkpoints_is_closed_in_each_event_until_reopened()
    {
        // Forty pending transfers, then the account is closed, then the forty are voided (voids are all
        // a closed account takes): more than one checkpoint falls while it is closed.
        var ledger = new TestLedger();
        ledger.MustCreateAccounts(Acct(1), Acct(2), Acct(3));
        ledger.MustCreateTransfers([.. Enumerable.Range(1, 40).Select(i => Pending((UInt128)i, 1, 2, 1, 0))]);
        ledger.MustCreateTransfers(Pending(41, 1, 3, 0, 0, TransferFlags.ClosingDebit));
        ledger.MustCreateTransfers([.. Enumerable.Range(1, 40).Select(i => Void((UInt128)(100 + i), (UInt128)i))]);
        ledger.MustCreateTransfers(Void(141, 41));

        ChangeEvent[] events = ledger.Machine.GetChangeEvents(new ChangeEventsFilter(ledger.Transfer(41).Timestamp, 0, 100));
        Assert.That(events.Select(e => (e.Transfer.Id, e.DebitAccount.DebitsPending, (e.DebitAccount.Flags & AccountFlags.Closed) != 0)), Is.EqualTo(
            new[] { ((UInt128)41, (UInt128)40, true) }
                .Concat(Enumerable.Range(1, 40).Select(i => ((UInt128)(100 + i), (UInt128)(40 - i), true)))
                .Append(((UInt128)141, (UInt128)0, false))));
    }

    [Test]
    public void What_events_are_computed_from_costs_the_estimated_bytes()
    {
        // The RAM estimate (AccountLog): 72 B per 32 events of an account, 16 B per expiry.
        Assert.That(System.Runtime.CompilerServices.Unsafe.SizeOf<LedgerCore.StateMachine.Storage.BalanceCheckpoint>(), Is.EqualTo(72));
        Assert.That(System.Runtime.CompilerServices.Unsafe.SizeOf<LedgerCore.StateMachine.Storage.ExpiryRecord>(), Is.EqualTo(16));
        Assert.That(System.Runtime.CompilerServices.Unsafe.SizeOf<LedgerCore.StateMachine.Storage.AccountLog>(), Is.EqualTo(32), "two per cache line, as before change events");
    }

    [Test]
    public void An_imported_transfer_must_postdate_the_last_expiry()
    {
        var ledger = new TestLedger();
        ledger.MustCreateAccounts(Acct(1), Acct(2));
        ledger.MustCreateTransfers(Pending(1, 1, 2, 5, 1));
        ulong deadline = ledger.Transfer(1).Timestamp + Second;
        ledger.Advance(2 * Second);
        Transfer Imported(UInt128 id, ulong timestamp) => Xfer(id, TransferFlags.Imported) with { Timestamp = timestamp };

        // This batch releases transfer 1 (stamped at its deadline) before its event, which postdates
        // every transfer but not the expiry.
        Assert.That(ledger.Create(Imported(3, deadline - 1)), Is.EqualTo(CreateTransferResult.ImportedEventTimestampMustNotRegress));
        Assert.That(ledger.Machine.GetChangeEvents(new ChangeEventsFilter(deadline, deadline, 1)).Single().Type, Is.EqualTo(ChangeEventType.TwoPhaseExpired));
        Assert.That(ledger.Create(Imported(4, deadline + 1)), Is.EqualTo(CreateTransferResult.Ok));
    }
}
