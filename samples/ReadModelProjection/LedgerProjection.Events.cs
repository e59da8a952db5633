using System.Numerics;
using LedgerCore;
using Npgsql;

namespace ReadModelProjection;

/// <summary>The change-event half: transfers, their outcomes and every account's balances, as the ledger reports them.</summary>
public sealed partial class LedgerProjection
{
    /// <summary>The most events one SQL transaction holds: the ledger's own page size.</summary>
    private const int EventsPerTransaction = LedgerStateMachine.ChangeEventsMax;

    /// <summary>Applies every change event after <paramref name="projected"/> that exists when called, a page per transaction.</summary>
    private async Task<(ulong Through, int Events)> CatchUpEventsAsync(ulong projected, CancellationToken cancellationToken)
    {
        int events = 0;
        while (true)
        {
            ChangeEvent[] page = await ledger.GetChangeEventsAsync(new ChangeEventsFilter(projected + 1, 0, EventsPerTransaction), cancellationToken).ConfigureAwait(false);
            if (page.Length == 0) return (projected, events);
            projected = await ApplyEventsAsync(page, projected, cancellationToken).ConfigureAwait(false);
            events += page.Length;
        }
    }

    /// <summary>
    /// Follows the feed of outcomes from one past <paramref name="projected"/>. Events the feed hands over
    /// without waiting are gathered into one transaction; as soon as it has to wait (for the next page, or for
    /// new batches), what was gathered is written, so a quiet ledger's last events do not sit in memory.
    /// </summary>
    private async Task<(ulong Through, int Events)> FollowEventsAsync(ulong projected, CancellationToken cancellationToken)
    {
        int events = 0;
        var page = new List<ChangeEvent>();
        await using IAsyncEnumerator<ChangeEvent> feed = ledger.ReadChangeEventsAsync(projected + 1, cancellationToken).GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            ValueTask<bool> next = feed.MoveNextAsync();
            if (page.Count > 0 && (!next.IsCompleted || page.Count == EventsPerTransaction))
            {
                projected = await ApplyEventsAsync(page, projected, cancellationToken).ConfigureAwait(false);
                events += page.Count;
                page.Clear();
            }

            if (!await next.ConfigureAwait(false)) break;
            page.Add(feed.Current);
        }

        // The engine was disposed: what the feed gave is complete, so keep it.
        if (page.Count > 0) projected = await ApplyEventsAsync(page, projected, cancellationToken).ConfigureAwait(false);
        return (projected, events + page.Count);
    }

    /// <summary>One page of events in one transaction: the transfers, the pending outcomes, the accounts, the history and the event checkpoint.</summary>
    /// <returns>The new checkpoint: the last event's timestamp.</returns>
    private async Task<ulong> ApplyEventsAsync(IReadOnlyList<ChangeEvent> page, ulong previous, CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var sql = new NpgsqlBatch(connection, transaction);

        // Each account as of the last event of the page that touched it: the earlier states are superseded.
        var accounts = new Dictionary<UInt128, (Account Account, ulong Timestamp)>();
        ulong last = previous;
        foreach (ChangeEvent e in page)
        {
            // The feed's order is what makes "as of the last event" and the checkpoint mean anything.
            if (e.Timestamp <= last) throw new InvalidOperationException($"Change event {e.Timestamp} came after {last}: the feed must be in strictly increasing timestamp order.");
            last = e.Timestamp;
            sql.BatchCommands.Add(Command("INSERT INTO ledger_change_events (timestamp, type, transfer_id) VALUES ($1, $2, $3)",
                checked((long)e.Timestamp), (short)e.Type, (BigInteger)e.Transfer.Id));
            AddTransfer(sql, e);
            accounts[e.DebitAccount.Id] = (e.DebitAccount, e.Timestamp);
            accounts[e.CreditAccount.Id] = (e.CreditAccount, e.Timestamp);
        }

        // In id order, as the account feed does, so the two feeds' transactions lock shared rows in one order and cannot deadlock.
        foreach ((Account account, ulong timestamp) in accounts.Values.OrderBy(a => a.Account.Id)) sql.BatchCommands.Add(UpsertAccount(account, timestamp));
        sql.BatchCommands.Add(Command("""
            INSERT INTO ledger_projection (ledger_id, sequence, change_timestamp) VALUES ($1, 0, $2)
            ON CONFLICT (ledger_id) DO UPDATE SET change_timestamp = EXCLUDED.change_timestamp, updated_at = now()
            WHERE ledger_projection.change_timestamp = $3
            """, (BigInteger)ledger.LedgerId, checked((long)last), checked((long)previous)));
        await CommitAsync(sql, transaction, $"The event checkpoint moved past {previous} meanwhile: another projector writes to this database.", cancellationToken).ConfigureAwait(false);
        return last;
    }

    /// <summary>
    /// The event's transfer as the ledger stored it (the amount that actually moved, a post's or void's accounts
    /// filled in), and the outcome of a pending transfer: posted, voided, or expired (whose event carries the pending transfer itself).
    /// </summary>
    private static void AddTransfer(NpgsqlBatch sql, in ChangeEvent e)
    {
        Transfer t = e.Transfer;
        (UInt128 pendingId, string? outcome) = e.Type switch
        {
            ChangeEventType.TwoPhasePosted => (t.PendingId, "posted"),
            ChangeEventType.TwoPhaseVoided => (t.PendingId, "voided"),
            ChangeEventType.TwoPhaseExpired => (t.Id, "expired"),
            _ => (UInt128.Zero, null),
        };
        if (outcome is not null)
        {
            sql.BatchCommands.Add(Command("UPDATE ledger_transfers SET pending_status = $2 WHERE id = $1", (BigInteger)pendingId, outcome));
        }

        if (e.Type == ChangeEventType.TwoPhaseExpired) return;
        sql.BatchCommands.Add(Command("""
            INSERT INTO ledger_transfers (id, debit_account_id, credit_account_id, amount, pending_id, user_data_128, user_data_64,
                                          user_data_32, timeout, ledger, code, flags, timestamp, event_type, pending_status)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
            """, (BigInteger)t.Id, (BigInteger)t.DebitAccountId, (BigInteger)t.CreditAccountId, (BigInteger)t.Amount, (BigInteger)t.PendingId,
            (BigInteger)t.UserData128, (BigInteger)t.UserData64, (long)t.UserData32, (long)t.Timeout, (long)t.Ledger, (int)t.Code, (int)t.Flags,
            checked((long)t.Timestamp), (short)e.Type, e.Type == ChangeEventType.TwoPhasePending ? (object)"pending" : DBNull.Value));
    }
}
