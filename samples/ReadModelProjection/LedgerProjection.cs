using System.Numerics;
using LedgerCore;
using Npgsql;

namespace ReadModelProjection;

/// <summary>
/// Projects a ledger into PostgreSQL tables for ad-hoc SQL, from two feeds, each with its own checkpoint:
/// the change events (<see cref="LedgerEngine.ReadChangeEventsAsync"/>: every transfer and expiry with both
/// accounts as they stood right after it) give the transfers and every account's balances, stored as the
/// ledger reports them, nothing recomputed; the committed batches (<see cref="LedgerEngine.ReadCommittedAsync"/>)
/// give the accounts that were created, since creating an account is not a change event. Each unit (one
/// page of events, one batch) is one SQL transaction holding its rows and its checkpoint, so after a crash
/// or restart the projection resumes exactly where the tables end: nothing skipped, nothing applied twice.
/// </summary>
/// <remarks>One projector per database at a time: a second one is detected by the checkpoints' compare-and-set and fails.</remarks>
public sealed partial class LedgerProjection(LedgerEngine ledger, NpgsqlDataSource database)
{
    /// <summary>Creates the tables if missing.</summary>
    public async Task EnsureSchemaAsync(CancellationToken cancellationToken = default)
    {
        await using NpgsqlCommand command = database.CreateCommand(ProjectionSchema.Create);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The last batch whose accounts are in the tables and the timestamp of the last change event applied (0 and 0 before the first).</summary>
    /// <exception cref="InvalidOperationException">The database mirrors a different ledger.</exception>
    public async Task<(long Sequence, ulong Timestamp)> GetCheckpointAsync(CancellationToken cancellationToken = default)
    {
        await using NpgsqlCommand command = database.CreateCommand("SELECT ledger_id, sequence, change_timestamp FROM ledger_projection");
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        (long, ulong) checkpoint = (0, 0);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (reader.GetFieldValue<BigInteger>(0) != (BigInteger)ledger.LedgerId)
            {
                throw new InvalidOperationException($"This database holds the projection of ledger {reader.GetFieldValue<BigInteger>(0)}, not of {ledger.LedgerId}.");
            }
            checkpoint = (reader.GetInt64(1), (ulong)reader.GetInt64(2));
        }
        return checkpoint;
    }

    /// <summary>Projects every batch committed and every change event applied when called, then returns.</summary>
    public async Task<ProjectionProgress> CatchUpAsync(CancellationToken cancellationToken = default)
    {
        (long sequence, ulong timestamp) = await GetCheckpointAsync(cancellationToken).ConfigureAwait(false);
        (long through, int batches) = await ProjectAccountsAsync(sequence, ledger.CommittedSequence, cancellationToken).ConfigureAwait(false);
        (ulong last, int events) = await CatchUpEventsAsync(timestamp, cancellationToken).ConfigureAwait(false);
        return new ProjectionProgress(sequence + 1, through, batches, timestamp + 1, last, events);
    }

    /// <summary>Follows both feeds live until cancelled (or the engine is disposed); a failure of either stops both.</summary>
    public async Task<ProjectionProgress> RunAsync(CancellationToken cancellationToken)
    {
        (long sequence, ulong timestamp) = await GetCheckpointAsync(cancellationToken).ConfigureAwait(false);
        using var both = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task<(long, int)> accounts = ProjectAccountsAsync(sequence, through: null, both.Token);
        Task<(ulong, int)> events = FollowEventsAsync(timestamp, both.Token);
        await Task.WhenAny(accounts, events).ConfigureAwait(false);
        if (accounts.IsFaulted || events.IsFaulted) await both.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(accounts, events).ConfigureAwait(false);
        return new ProjectionProgress(sequence + 1, accounts.Result.Item1, accounts.Result.Item2, timestamp + 1, events.Result.Item1, events.Result.Item2);
    }

    /// <summary>Account creations from the committed batches after <paramref name="projected"/>, up to <paramref name="through"/> (or live when null).</summary>
    private async Task<(long Through, int Batches)> ProjectAccountsAsync(long projected, long? through, CancellationToken cancellationToken)
    {
        int batches = 0;
        if (projected >= through) return (projected, 0);
        await foreach (CommittedBatch batch in ledger.ReadCommittedAsync(projected + 1, cancellationToken).ConfigureAwait(false))
        {
            // The feed is ordered and skips only batches never applied; anything else would break the checkpoint's meaning.
            if (batch.Sequence <= projected) throw new InvalidOperationException($"Expected a batch after {projected}, the feed gave {batch.Sequence}.");
            await ApplyAccountsAsync(batch, projected, cancellationToken).ConfigureAwait(false);
            projected = batch.Sequence;
            batches++;
            if (projected >= through) break;
        }
        return (projected, batches);
    }

    /// <summary>One batch in one transaction: rows for the accounts it names that exist, then the batch checkpoint moved from <paramref name="previous"/>.</summary>
    private async Task ApplyAccountsAsync(CommittedBatch batch, long previous, CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var sql = new NpgsqlBatch(connection, transaction);

        if (batch.Operation == LedgerOperation.CreateAccounts)
        {
            // The feed holds events as submitted, failed ones included: look the ids up and keep the accounts
            // that exist. A row is only ever inserted here, with the balances every account is created with
            // (zero, as of no event); the change events own balances and flags from then on, so whichever of
            // the two feeds reaches an account first, the row ends the same.
            // In id order, as the event feed does (see ApplyEventsAsync).
            var ids = new SortedSet<UInt128>();
            foreach (Account a in batch.Accounts.Span) ids.Add(a.Id);
            foreach (Account a in await ledger.LookupAccountsAsync(ids.ToArray(), cancellationToken).ConfigureAwait(false))
            {
                sql.BatchCommands.Add(UpsertAccount(a with { DebitsPending = 0, DebitsPosted = 0, CreditsPending = 0, CreditsPosted = 0 }, balancesTimestamp: 0));
            }
        }

        // Compare-and-set: only the projector that read `previous` may move the checkpoint.
        sql.BatchCommands.Add(Command("""
            INSERT INTO ledger_projection (ledger_id, sequence, change_timestamp) VALUES ($1, $2, 0)
            ON CONFLICT (ledger_id) DO UPDATE SET sequence = EXCLUDED.sequence, updated_at = now()
            WHERE ledger_projection.sequence = $3
            """, (BigInteger)ledger.LedgerId, batch.Sequence, previous));
        await CommitAsync(sql, transaction, $"The batch checkpoint moved past {previous} meanwhile: another projector writes to this database.", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Inserts the account, or brings its row to <paramref name="balancesTimestamp"/> if that is later than
    /// what the row holds: so a replay, or a creation seen after the account's events, changes nothing.
    /// </summary>
    private static NpgsqlBatchCommand UpsertAccount(in Account a, ulong balancesTimestamp) => Command("""
        INSERT INTO ledger_accounts (id, ledger, code, flags, user_data_128, user_data_64, user_data_32, timestamp,
                                     debits_pending, debits_posted, credits_pending, credits_posted, balances_timestamp)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
        ON CONFLICT (id) DO UPDATE SET flags = EXCLUDED.flags, debits_pending = EXCLUDED.debits_pending,
            debits_posted = EXCLUDED.debits_posted, credits_pending = EXCLUDED.credits_pending,
            credits_posted = EXCLUDED.credits_posted, balances_timestamp = EXCLUDED.balances_timestamp
        WHERE ledger_accounts.balances_timestamp < EXCLUDED.balances_timestamp
        """, (BigInteger)a.Id, (long)a.Ledger, (int)a.Code, (int)a.Flags, (BigInteger)a.UserData128, (BigInteger)a.UserData64,
        (long)a.UserData32, checked((long)a.Timestamp), (BigInteger)a.DebitsPending, (BigInteger)a.DebitsPosted,
        (BigInteger)a.CreditsPending, (BigInteger)a.CreditsPosted, checked((long)balancesTimestamp));

    /// <summary>Runs the batch, whose last command is a checkpoint compare-and-set, and commits only if that moved the checkpoint.</summary>
    private static async Task CommitAsync(NpgsqlBatch sql, NpgsqlTransaction transaction, string conflict, CancellationToken cancellationToken)
    {
        await sql.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        if (sql.BatchCommands[^1].RecordsAffected != 1) throw new InvalidOperationException(conflict);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static NpgsqlBatchCommand Command(string text, params object[] values)
    {
        var command = new NpgsqlBatchCommand(text);
        foreach (object value in values) command.Parameters.Add(new NpgsqlParameter { Value = value });
        return command;
    }
}
