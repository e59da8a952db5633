using FsCheck;
using FsCheck.Fluent;
using LedgerCore.Journal;
using LedgerCore.Tests.Faults;
using NUnit.Framework;

namespace LedgerCore.Tests.Properties;

/// <summary>
/// Change events (<see cref="LedgerStateMachine.GetChangeEvents"/>): they tell what happened, so the
/// accounts they carry rebuild the ledger's balances, every expiry is among them once, paging loses and
/// repeats nothing, and a snapshot restore goes on producing the same events.
/// </summary>
public class ChangeEventProperties
{
    private const ulong Second = 1_000_000_000;

    /// <summary>A workload with a number to pick ranges and cut points from.</summary>
    private static Arbitrary<(Workload Workload, int Seed)> WorkloadsWithSeeds() =>
        Arb.From(from workload in LedgerGenerators.Workloads().Generator
                 from seed in Gen.Choose(0, 1_000_000)
                 select (workload, seed));

    /// <summary>Every event, read in pages of <paramref name="limit"/> from <paramref name="from"/> on.</summary>
    internal static List<ChangeEvent> ReadAll(LedgerStateMachine machine, uint limit, ulong from = 0)
    {
        var events = new List<ChangeEvent>();
        for (int page = 0; page < 100_000; page++)
        {
            ChangeEvent[] next = machine.GetChangeEvents(new ChangeEventsFilter(from, 0, limit));
            events.AddRange(next);
            if (next.Length < limit) return events;
            from = next[^1].Timestamp + 1;
        }

        throw new PropertyFailedException("paging did not end");
    }

    /// <summary>The workload's batches, then an empty batch far enough ahead that every timeout has passed.</summary>
    private static List<LedgerBatch> WithFinalTick(Workload workload)
    {
        var batches = WorkloadBuilder.Build(workload).ToList();
        ulong last = batches.Count == 0 ? WorkloadBuilder.BaseTimestamp : batches[^1].Timestamp;
        batches.Add(new LedgerBatch(batches.Count, true, [], [], last + ((LedgerGenerators.TimeoutMax + 1) * Second)));
        return batches;
    }

    [Test]
    public void Replaying_the_events_from_zero_rebuilds_every_account_after_every_batch() =>
        LedgerHarness.Check(LedgerGenerators.Workloads(), workload =>
        {
            var machine = new LedgerStateMachine();
            foreach (LedgerBatch batch in WithFinalTick(workload))
            {
                LedgerHarness.Apply(machine, batch);
                List<ChangeEvent> events = ReadAll(machine, LedgerStateMachine.ChangeEventsMax);

                var rebuilt = new Dictionary<UInt128, Account>();
                ulong previous = 0;
                foreach (ChangeEvent e in events)
                {
                    PropertyFailedException.Unless(e.Timestamp > previous, () => $"event at {e.Timestamp} follows one at {previous}");
                    previous = e.Timestamp;
                    CheckShape(e);
                    rebuilt[e.DebitAccount.Id] = e.DebitAccount;
                    rebuilt[e.CreditAccount.Id] = e.CreditAccount;
                }

                foreach (Account account in LedgerHarness.Accounts(machine).Values)
                {
                    Account expected = rebuilt.TryGetValue(account.Id, out Account seen)
                        ? seen
                        : account with { DebitsPending = 0, DebitsPosted = 0, CreditsPending = 0, CreditsPosted = 0 };
                    PropertyFailedException.Unless(expected == account,
                        () => $"after batch {batch.Index}: events rebuild {LedgerHarness.Show(expected)}, lookup gives {LedgerHarness.Show(account)}");
                }
            }
        });

    [Test]
    public void Each_event_carries_its_accounts_as_the_previous_ones_left_them_plus_its_own_change() =>
        LedgerHarness.Check(LedgerGenerators.Workloads(), workload =>
        {
            var machine = new LedgerStateMachine();
            foreach (LedgerBatch batch in WithFinalTick(workload)) LedgerHarness.Apply(machine, batch);
            CheckEachEventFollowsFromTheLast(machine, ReadAll(machine, LedgerStateMachine.ChangeEventsMax));
        });

    [Test]
    public void Packed_batches_make_expiries_wait_and_the_model_and_the_events_agree() =>
        LedgerHarness.Check(WorkloadsWithSeeds(), run =>
        {
            // Often no room before a batch's first slot, sometimes a few nanoseconds, else the workload's
            // gap: expiries then wait for a later batch, and posts and voids meet transfers past their
            // deadline that have not expired yet. The final tick keeps its gap, so everything expires.
            var machine = new LedgerStateMachine();
            var model = new LedgerModel();
            var random = new Random(run.Seed);
            List<LedgerBatch> batches = WithFinalTick(run.Workload);
            ulong previous = WorkloadBuilder.BaseTimestamp, originalPrevious = WorkloadBuilder.BaseTimestamp;
            for (int b = 0; b < batches.Count; b++)
            {
                ulong slots = (ulong)Math.Max(batches[b].Count, 1);
                ulong gap = batches[b].Timestamp - originalPrevious - slots;
                originalPrevious = batches[b].Timestamp;
                ulong timestamp = previous + slots + gap;
                if (b < batches.Count - 1)
                {
                    // Or a deadline among the batch's own slots: it has passed for some of the batch's
                    // events, yet its stamp cannot fit before them.
                    ulong[] ahead = [.. model.OpenPending.Values.Where(p => p.Timeout != 0).Select(p => p.Timestamp + (p.Timeout * Second)).Where(d => d >= previous + slots).Order()];
                    timestamp = random.Next(4) switch
                    {
                        0 => previous + slots,
                        1 => previous + slots + (ulong)random.Next(1, 4),
                        2 when ahead.Length > 0 => ahead[random.Next(ahead.Length)] + (ulong)random.Next(0, (int)slots),
                        _ => timestamp,
                    };
                }

                LedgerBatch batch = batches[b] with { Timestamp = timestamp };
                previous = batch.Timestamp;
                model.Observe(machine, batch, LedgerHarness.Apply(machine, batch));
            }

            PropertyFailedException.Unless(model.OpenPending.Values.All(p => p.Timeout == 0), () => "the final tick left a pending transfer with a timeout open");
            List<ChangeEvent> events = ReadAll(machine, LedgerStateMachine.ChangeEventsMax);
            for (int i = 1; i < events.Count; i++)
            {
                PropertyFailedException.Unless(events[i].Timestamp > events[i - 1].Timestamp, () => $"event at {events[i].Timestamp} follows one at {events[i - 1].Timestamp}");
            }

            CheckEachEventFollowsFromTheLast(machine, events);
        });

    /// <summary>
    /// Every event's two accounts are what the account's previous event (or, before its first, an open
    /// account with no balances) carried, changed as the event's type says: checks the accounts of
    /// every event, not only the last of each account.
    /// </summary>
    internal static void CheckEachEventFollowsFromTheLast(LedgerStateMachine machine, List<ChangeEvent> events)
    {
        var last = new Dictionary<UInt128, Account>();
        foreach (ChangeEvent e in events)
        {
            Transfer t = e.Transfer;
            Account dr = last.TryGetValue(t.DebitAccountId, out Account d) ? d : Fresh(e.DebitAccount);
            Account cr = last.TryGetValue(t.CreditAccountId, out Account c) ? c : Fresh(e.CreditAccount);
            Transfer released = e.Type switch
            {
                ChangeEventType.TwoPhaseExpired => t,
                ChangeEventType.TwoPhasePosted or ChangeEventType.TwoPhaseVoided => machine.LookupTransfers([t.PendingId]).Single(),
                _ => default,
            };
            switch (e.Type)
            {
                case ChangeEventType.SinglePhase:
                    dr.DebitsPosted += t.Amount;
                    cr.CreditsPosted += t.Amount;
                    break;
                case ChangeEventType.TwoPhasePending:
                    dr.DebitsPending += t.Amount;
                    cr.CreditsPending += t.Amount;
                    if ((t.Flags & TransferFlags.ClosingDebit) != 0) dr.Flags |= AccountFlags.Closed;
                    if ((t.Flags & TransferFlags.ClosingCredit) != 0) cr.Flags |= AccountFlags.Closed;
                    break;
                default:
                    dr.DebitsPending -= released.Amount;
                    cr.CreditsPending -= released.Amount;
                    if (e.Type == ChangeEventType.TwoPhasePosted)
                    {
                        dr.DebitsPosted += t.Amount;
                        cr.CreditsPosted += t.Amount;
                    }
                    else
                    {
                        if ((released.Flags & TransferFlags.ClosingDebit) != 0) dr.Flags &= ~AccountFlags.Closed;
                        if ((released.Flags & TransferFlags.ClosingCredit) != 0) cr.Flags &= ~AccountFlags.Closed;
                    }

                    break;
            }

            PropertyFailedException.Unless(e.DebitAccount == dr && e.CreditAccount == cr,
                () => $"{e.Type} at {e.Timestamp} of {LedgerHarness.Show(t)} carries {LedgerHarness.Show(e.DebitAccount)} / {LedgerHarness.Show(e.CreditAccount)}, " +
                      $"the previous events and its own change give {LedgerHarness.Show(dr)} / {LedgerHarness.Show(cr)}");
            last[t.DebitAccountId] = dr;
            last[t.CreditAccountId] = cr;
        }

        static Account Fresh(Account a) => a with { DebitsPending = 0, DebitsPosted = 0, CreditsPending = 0, CreditsPosted = 0, Flags = a.Flags & ~AccountFlags.Closed };
    }

    [Test]
    public void Every_expired_pending_transfer_appears_once_as_an_expiry_at_or_after_its_deadline() =>
        LedgerHarness.Check(LedgerGenerators.Workloads(), workload =>
        {
            var machine = new LedgerStateMachine();
            foreach (LedgerBatch batch in WithFinalTick(workload)) LedgerHarness.Apply(machine, batch);

            SortedDictionary<UInt128, Transfer> transfers = LedgerHarness.Transfers(machine);
            var resolved = transfers.Values.Where(t => t.PendingId != 0).Select(t => t.PendingId).ToHashSet();
            var expected = transfers.Values
                .Where(t => (t.Flags & TransferFlags.Pending) != 0 && t.Timeout != 0 && !resolved.Contains(t.Id))
                .Select(t => t.Id).Order().ToList();

            List<ChangeEvent> expiries = ReadAll(machine, LedgerStateMachine.ChangeEventsMax).Where(e => e.Type == ChangeEventType.TwoPhaseExpired).ToList();
            var actual = expiries.Select(e => e.Transfer.Id).Order().ToList();
            PropertyFailedException.Unless(actual.SequenceEqual(expected),
                () => $"expired {string.Join(",", expected)} but expiry events name {string.Join(",", actual)}");
            foreach (ChangeEvent e in expiries)
            {
                Transfer p = transfers[e.Transfer.Id];
                PropertyFailedException.Unless(e.Transfer == p, () => $"expiry carries {LedgerHarness.Show(e.Transfer)}, stored {LedgerHarness.Show(p)}");
                PropertyFailedException.Unless(e.Timestamp >= p.Timestamp + (p.Timeout * Second),
                    () => $"pending {p.Id} expired at {e.Timestamp}, before its deadline");
            }
        });

    [Test]
    public void Paging_by_timestamp_ranges_with_small_limits_gives_the_one_big_read() =>
        LedgerHarness.Check(WorkloadsWithSeeds(), read =>
        {
            var machine = new LedgerStateMachine();
            foreach (LedgerBatch batch in WithFinalTick(read.Workload)) LedgerHarness.Apply(machine, batch);
            ChangeEvent[] all = machine.GetChangeEvents(new ChangeEventsFilter(0, 0, LedgerStateMachine.ChangeEventsMax));
            for (uint limit = 1; limit <= 3; limit++)
            {
                List<ChangeEvent> paged = ReadAll(machine, limit);
                PropertyFailedException.Unless(paged.SequenceEqual(all), () => $"pages of {limit} give {paged.Count} events, one read {all.Length}");
            }

            // Any inclusive range with any limit is the big read's slice.
            ulong[] stamps = [0, .. all.Select(e => e.Timestamp), .. all.Select(e => e.Timestamp + 1)];
            ulong min = stamps[read.Seed % stamps.Length];
            ulong max = stamps[(read.Seed / 7) % stamps.Length];
            uint rangeLimit = 1 + (uint)(read.Seed % 5);
            ChangeEvent[] ranged = machine.GetChangeEvents(new ChangeEventsFilter(min, max, rangeLimit));
            ChangeEvent[] expected = max != 0 && min > max ? []
                : [.. all.Where(e => e.Timestamp >= min && (max == 0 || e.Timestamp <= max)).Take((int)rangeLimit)];
            PropertyFailedException.Unless(ranged.SequenceEqual(expected), () => $"range [{min}, {max}] limit {rangeLimit}: {ranged.Length} events, expected {expected.Length}");
        });

    [Test]
    public void A_restored_snapshot_goes_on_producing_the_same_events() =>
        LedgerHarness.Check(WorkloadsWithSeeds(), digest =>
        {
            List<LedgerBatch> batches = WithFinalTick(digest.Workload);
            int cut = digest.Seed % batches.Count;
            LedgerStateMachine original = LedgerHarness.Replay(batches, cut);
            var storage = new FaultyStorage();
            SnapshotFile.Write(storage, 1, 1, 1, original.CaptureImage());
            LedgerStateMachine restored = SnapshotFile.Read(storage, SnapshotFile.Name(1), 1).Machine;
            for (int b = cut; b < batches.Count; b++)
            {
                LedgerHarness.Apply(original, batches[b]);
                LedgerHarness.Apply(restored, batches[b]);
            }

            List<ChangeEvent> a = ReadAll(original, LedgerStateMachine.ChangeEventsMax);
            List<ChangeEvent> b2 = ReadAll(restored, LedgerStateMachine.ChangeEventsMax);
            PropertyFailedException.Unless(a.SequenceEqual(b2), () => $"restored at batch {cut}: {b2.Count} events, original {a.Count}");
        });

    /// <summary>What an event says about itself agrees with its transfer.</summary>
    private static void CheckShape(ChangeEvent e)
    {
        Transfer t = e.Transfer;
        ChangeEventType expected =
            e.Timestamp != t.Timestamp ? ChangeEventType.TwoPhaseExpired :
            (t.Flags & TransferFlags.Pending) != 0 ? ChangeEventType.TwoPhasePending :
            (t.Flags & TransferFlags.PostPendingTransfer) != 0 ? ChangeEventType.TwoPhasePosted :
            (t.Flags & TransferFlags.VoidPendingTransfer) != 0 ? ChangeEventType.TwoPhaseVoided : ChangeEventType.SinglePhase;
        PropertyFailedException.Unless(e.Type == expected, () => $"event {e.Type} for {LedgerHarness.Show(t)} at {e.Timestamp}");
        PropertyFailedException.Unless(e.Type != ChangeEventType.TwoPhaseExpired || (t.Flags & TransferFlags.Pending) != 0,
            () => $"an expiry of a transfer that is not pending: {LedgerHarness.Show(t)}");
        PropertyFailedException.Unless(e.DebitAccount.Id == t.DebitAccountId && e.CreditAccount.Id == t.CreditAccountId && e.Ledger == e.DebitAccount.Ledger,
            () => $"event accounts {e.DebitAccount.Id}/{e.CreditAccount.Id} for {LedgerHarness.Show(t)}");
    }
}
