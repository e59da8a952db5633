using System.Diagnostics;
using LedgerCore.Journal;
using LedgerCore.Storage;

namespace LedgerCore.Tool.Export;

/// <summary>
/// Recovers the state as recovery does (the newest snapshot that verifies, then the journal after it,
/// through the core's own reader and replay, over <see cref="ReadOnlyStorage"/>: a torn tail is left, not
/// cut), then streams accounts or transfers in timestamp order, a page of the state machine's own query
/// at a time, so the output is never built in memory.
/// </summary>
internal static class LedgerExport
{
    /// <summary>Column names as docs/protocol.md names the fields, in its order.</summary>
    public static readonly string[] AccountColumns =
    [
        "id", "debits_pending", "debits_posted", "credits_pending", "credits_posted", "user_data_128", "user_data_64", "user_data_32",
        "reserved", "ledger", "code", "flags", "timestamp",
    ];

    /// <summary>Column names as docs/protocol.md names the fields, in its order.</summary>
    public static readonly string[] TransferColumns =
    [
        "id", "debit_account_id", "credit_account_id", "amount", "pending_id", "user_data_128", "user_data_64", "user_data_32",
        "timeout", "ledger", "code", "flags", "timestamp",
    ];

    /// <summary>The recovered state machine of <paramref name="directory"/> (which must hold ledger.meta).</summary>
    /// <exception cref="LedgerCorruptedException">Recovery would refuse the directory.</exception>
    public static LedgerStateMachine Recover(string directory) => ReadOnlyRecovery.Recover(directory).Machine;

    /// <summary>
    /// Writes every account (or transfer) whose timestamp is within [<paramref name="from"/>,
    /// <paramref name="to"/>] (0 = unbounded), in timestamp order; prints the rows so far to
    /// <paramref name="progress"/> about every second. Returns the number of rows.
    /// </summary>
    public static long Write(LedgerStateMachine machine, bool transfers, ulong from, ulong to, RowWriter writer, TextWriter progress)
    {
        writer.Begin(transfers ? TransferColumns : AccountColumns);
        var clock = Stopwatch.StartNew();
        TimeSpan nextReport = TimeSpan.FromSeconds(1);
        long rows = 0;
        var filter = new QueryFilter { TimestampMin = from, TimestampMax = to, Limit = LedgerStateMachine.BatchEventsMax };
        while (true)
        {
            ulong last;
            int count;
            if (transfers)
            {
                Transfer[] page = machine.QueryTransfers(filter);
                foreach (Transfer t in page) Row(writer, in t);
                count = page.Length;
                last = count > 0 ? page[^1].Timestamp : 0;
            }
            else
            {
                Account[] page = machine.QueryAccounts(filter);
                foreach (Account a in page) Row(writer, in a);
                count = page.Length;
                last = count > 0 ? page[^1].Timestamp : 0;
            }

            rows += count;
            if (clock.Elapsed >= nextReport)
            {
                progress.WriteLine($"exported {rows} rows");
                nextReport = clock.Elapsed + TimeSpan.FromSeconds(1);
            }

            // Timestamps are unique and strictly increasing, so the next page starts just after this one's last.
            if (count < filter.Limit || last == to) break;
            filter.TimestampMin = last + 1;
        }

        writer.Finish();
        return rows;
    }

    private static void Row(RowWriter w, in Account a)
    {
        w.BeginRow();
        w.Field(a.Id);
        w.Field(a.DebitsPending);
        w.Field(a.DebitsPosted);
        w.Field(a.CreditsPending);
        w.Field(a.CreditsPosted);
        w.Field(a.UserData128);
        w.Field(a.UserData64);
        w.Field(a.UserData32);
        w.Field(a.Reserved);
        w.Field(a.Ledger);
        w.Field(a.Code);
        w.Field((ulong)a.Flags);
        w.Field(a.Timestamp);
        w.EndRow();
    }

    private static void Row(RowWriter w, in Transfer t)
    {
        w.BeginRow();
        w.Field(t.Id);
        w.Field(t.DebitAccountId);
        w.Field(t.CreditAccountId);
        w.Field(t.Amount);
        w.Field(t.PendingId);
        w.Field(t.UserData128);
        w.Field(t.UserData64);
        w.Field(t.UserData32);
        w.Field(t.Timeout);
        w.Field(t.Ledger);
        w.Field(t.Code);
        w.Field((ulong)t.Flags);
        w.Field(t.Timestamp);
        w.EndRow();
    }
}
