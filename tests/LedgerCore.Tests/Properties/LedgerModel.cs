using System.Globalization;

namespace LedgerCore.Tests.Properties;

/// <summary>
/// A brute-force model of the ledger's <em>effects</em> (not its validation): it takes the events the
/// machine accepted, checks what was stored for each (timestamp, fields inherited by a post or void,
/// the post/void/balancing amount rules), and recomputes every account's balances, its history, its
/// Closed flag and the set of open pending transfers from first principles. Any disagreement
/// with the machine, or a stored transfer the rules forbid (resolving a pending transfer twice or
/// after its expiry, moving a closed account), throws <see cref="PropertyFailedException"/>.
/// </summary>
public sealed class LedgerModel
{
    private readonly Dictionary<UInt128, ModelAccount> _accounts = [];
    private readonly Dictionary<UInt128, Transfer> _open = [];
    private int _transferCount;
    private ulong _previousBatch;

    /// <summary>Pending transfers neither posted, voided nor expired, by id.</summary>
    public IReadOnlyDictionary<UInt128, Transfer> OpenPending => _open;

    /// <summary>Whether the account is closed now: created closed, or debited/credited by an open closing transfer.</summary>
    public bool IsClosed(UInt128 accountId)
    {
        ModelAccount a = _accounts[accountId];
        return (a.CreatedFlags & AccountFlags.Closed) != 0 || _open.Values.Any(p =>
            ((p.Flags & TransferFlags.ClosingDebit) != 0 && p.DebitAccountId == accountId) ||
            ((p.Flags & TransferFlags.ClosingCredit) != 0 && p.CreditAccountId == accountId));
    }

    /// <summary>The balances the model recorded for a History account after each of its transfers, by transfer timestamp.</summary>
    public IReadOnlyDictionary<ulong, AccountBalance> History(UInt128 accountId) => _accounts[accountId].Balances;

    /// <summary>Feeds the model a batch the machine has just applied (with its results).</summary>
    public void Observe(LedgerStateMachine machine, LedgerBatch batch, uint[] codes)
    {
        ArgumentNullException.ThrowIfNull(machine);
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(codes);

        // Time moves first: pending transfers past their deadline expire before any event, by deadline
        // then creation, each stamped at or after its deadline and after the previous batch and every
        // earlier expiry, as long as the stamp fits before the batch's first slot; the rest wait.
        ulong stamp = _previousBatch;
        ulong lastSlot = batch.Timestamp - (ulong)Math.Max(batch.Count, 1);
        foreach (Transfer p in _open.Values.Where(p => p.Timeout != 0).OrderBy(Deadline).ThenBy(p => p.Timestamp).ToList())
        {
            if (Math.Max(Deadline(p), stamp + 1) > lastSlot) break;
            stamp = Math.Max(Deadline(p), stamp + 1);
            Release(p);
            _open.Remove(p.Id);
        }

        _previousBatch = batch.Timestamp;
        for (int i = 0; i < batch.Count; i++)
        {
            if (codes[i] != 0) continue;
            ulong slot = batch.Timestamp - (ulong)batch.Count + (ulong)i + 1;
            if (batch.IsTransfers)
            {
                Transfer requested = batch.Transfers[i];
                var stored = machine.LookupTransfers([requested.Id]);
                PropertyFailedException.Unless(stored.Length == 1, () => $"transfer {requested.Id} was accepted but is not stored");
                Apply(requested, stored[0], (requested.Flags & TransferFlags.Imported) != 0 ? requested.Timestamp : slot);
                _transferCount++;
            }
            else
            {
                Account requested = batch.Accounts[i];
                var stored = machine.LookupAccounts([requested.Id]);
                PropertyFailedException.Unless(stored.Length == 1, () => $"account {requested.Id} was accepted but is not stored");
                Account a = stored[0];
                PropertyFailedException.Unless(!_accounts.ContainsKey(a.Id), () => $"account {a.Id} was created twice");
                Account expected = requested with { Timestamp = (requested.Flags & AccountFlags.Imported) != 0 ? requested.Timestamp : slot };
                PropertyFailedException.Unless(a == expected, () => $"stored {LedgerHarness.Show(a)} but the request was {LedgerHarness.Show(expected)}");
                _accounts[a.Id] = new ModelAccount(a.Id, a.Flags);
            }
        }

        Compare(machine);
    }

    private static ulong Deadline(Transfer p) => p.Timestamp + (p.Timeout * 1_000_000_000UL);

    /// <summary>
    /// Checks what was stored for an accepted request (fields inherited from the pending transfer,
    /// the amount rules, the timestamp), then applies its effect.
    /// </summary>
    private void Apply(Transfer requested, Transfer t, ulong timestamp)
    {
        PropertyFailedException.Unless(_accounts.ContainsKey(t.DebitAccountId) && _accounts.ContainsKey(t.CreditAccountId),
            () => $"transfer {LedgerHarness.Show(t)} names an account that does not exist");
        ModelAccount dr = _accounts[t.DebitAccountId];
        ModelAccount cr = _accounts[t.CreditAccountId];
        bool resolves = (t.Flags & (TransferFlags.PostPendingTransfer | TransferFlags.VoidPendingTransfer)) != 0;
        bool post = (t.Flags & TransferFlags.PostPendingTransfer) != 0;

        // The reference: "the only movement allowed in a closed account is voiding a pending transfer".
        bool isVoid = resolves && !post;
        PropertyFailedException.Unless(isVoid || (!IsClosed(dr.Id) && !IsClosed(cr.Id)),
            () => $"transfer {LedgerHarness.Show(t)} moved a closed account (only a void may touch one)");

        if (resolves)
        {
            PropertyFailedException.Unless(_open.TryGetValue(t.PendingId, out Transfer p),
                () => $"transfer {LedgerHarness.Show(t)} resolves pending {t.PendingId}, which is not open (unknown, already posted/voided, or expired)");
            PropertyFailedException.Unless(p.DebitAccountId == t.DebitAccountId && p.CreditAccountId == t.CreditAccountId,
                () => $"transfer {LedgerHarness.Show(t)} does not carry its pending transfer's accounts");
            Transfer expected = requested with
            {
                DebitAccountId = p.DebitAccountId,
                CreditAccountId = p.CreditAccountId,
                Ledger = p.Ledger,
                Code = p.Code,
                UserData128 = requested.UserData128 != 0 ? requested.UserData128 : p.UserData128,
                UserData64 = requested.UserData64 != 0 ? requested.UserData64 : p.UserData64,
                UserData32 = requested.UserData32 != 0 ? requested.UserData32 : p.UserData32,
                Amount = !post ? p.Amount : requested.Amount == UInt128.MaxValue ? p.Amount : requested.Amount,
                Timestamp = timestamp,
            };
            PropertyFailedException.Unless(t == expected && t.Amount <= p.Amount,
                () => $"stored {LedgerHarness.Show(t)} for a request resolving {LedgerHarness.Show(p)}; expected {LedgerHarness.Show(expected)}");
            Release(p);
            _open.Remove(p.Id);
            if (post)
            {
                dr.DebitsPosted += t.Amount;
                cr.CreditsPosted += t.Amount;
            }
        }
        else
        {
            // Balancing transfers move at most what keeps the account within its posted balance on the other side.
            UInt128 amount = requested.Amount;
            if ((t.Flags & TransferFlags.BalancingDebit) != 0)
            {
                amount = UInt128.Min(amount, Saturating(dr.CreditsPosted, dr.DebitsPosted + dr.DebitsPending));
            }

            if ((t.Flags & TransferFlags.BalancingCredit) != 0)
            {
                amount = UInt128.Min(amount, Saturating(cr.DebitsPosted, cr.CreditsPosted + cr.CreditsPending));
            }

            Transfer expected = requested with { Amount = amount, Timestamp = timestamp };
            PropertyFailedException.Unless(t == expected, () => $"stored {LedgerHarness.Show(t)}; expected {LedgerHarness.Show(expected)}");
            if ((t.Flags & TransferFlags.Pending) != 0)
            {
                dr.DebitsPending += t.Amount;
                cr.CreditsPending += t.Amount;
                _open.Add(t.Id, t);
            }
            else
            {
                dr.DebitsPosted += t.Amount;
                cr.CreditsPosted += t.Amount;
            }
        }

        dr.Record(t.Timestamp);
        cr.Record(t.Timestamp);
    }

    private static UInt128 Saturating(UInt128 a, UInt128 b) => a > b ? a - b : 0;

    private void Release(Transfer p)
    {
        ModelAccount dr = _accounts[p.DebitAccountId];
        ModelAccount cr = _accounts[p.CreditAccountId];
        PropertyFailedException.Unless(dr.DebitsPending >= p.Amount && cr.CreditsPending >= p.Amount,
            () => $"releasing pending {LedgerHarness.Show(p)} would make a pending balance negative");
        dr.DebitsPending -= p.Amount;
        cr.CreditsPending -= p.Amount;
    }

    private void Compare(LedgerStateMachine machine)
    {
        PropertyFailedException.Unless(machine.AccountCount == _accounts.Count, () => $"machine has {machine.AccountCount} accounts, model {_accounts.Count}");
        PropertyFailedException.Unless(machine.TransferCount == _transferCount, () => $"machine has {machine.TransferCount} transfers, model {_transferCount}");
        foreach (Account a in LedgerHarness.Accounts(machine).Values)
        {
            ModelAccount m = _accounts[a.Id];
            bool closed = IsClosed(a.Id);
            PropertyFailedException.Unless(
                a.DebitsPending == m.DebitsPending && a.CreditsPending == m.CreditsPending &&
                a.DebitsPosted == m.DebitsPosted && a.CreditsPosted == m.CreditsPosted,
                () => string.Create(CultureInfo.InvariantCulture,
                    $"{LedgerHarness.Show(a)} but the accepted transfers and open pending transfers give dp={m.DebitsPending} dpo={m.DebitsPosted} cp={m.CreditsPending} cpo={m.CreditsPosted}"));
            PropertyFailedException.Unless(((a.Flags & AccountFlags.Closed) != 0) == closed && (a.Flags & ~AccountFlags.Closed) == (m.CreatedFlags & ~AccountFlags.Closed),
                () => $"{LedgerHarness.Show(a)}: expected closed={closed} (created {m.CreatedFlags}, open closing transfers)");
        }
    }

    private sealed class ModelAccount(UInt128 id, AccountFlags createdFlags)
    {
        public UInt128 Id { get; } = id;

        public AccountFlags CreatedFlags { get; } = createdFlags;

        public UInt128 DebitsPending { get; set; }

        public UInt128 DebitsPosted { get; set; }

        public UInt128 CreditsPending { get; set; }

        public UInt128 CreditsPosted { get; set; }

        public Dictionary<ulong, AccountBalance> Balances { get; } = [];

        public void Record(ulong timestamp)
        {
            if ((CreatedFlags & AccountFlags.History) != 0)
            {
                Balances.Add(timestamp, new AccountBalance(DebitsPending, DebitsPosted, CreditsPending, CreditsPosted, timestamp));
            }
        }
    }
}
