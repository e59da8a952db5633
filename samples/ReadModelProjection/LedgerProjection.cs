using System.Numerics;
using LedgerCore;
using Npgsql;

namespace ReadModelProjection;

/// <summary>
/// Projects a ledger's change feed (<see cref="LedgerEngine.ReadCommittedAsync"/>) into PostgreSQL tables
/// for ad-hoc SQL. Each journaled batch is one SQL transaction holding its rows and the new checkpoint
/// (the batch's sequence), so after a crash or restart the projection resumes exactly where the tables
/// end: nothing is skipped and nothing is applied twice. Inserts are idempotent (<c>ON CONFLICT DO NOTHING</c>)
/// all the same, so rebuilding over existing rows is harmless.
/// </summary>
/// <remarks>One projector per database at a time: a second one is detected by the checkpoint's compare-and-set and fails.</remarks>
public sealed class LedgerProjection(LedgerEngine ledger, NpgsqlDataSource database)
{
    /// <summary>Creates the tables and the balances view if missing.</summary>
    public async Task EnsureSchemaAsync(CancellationToken cancellationToken = default)
    {
        await using NpgsqlCommand command = database.CreateCommand(ProjectionSchema.Create);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The last batch whose rows are in the tables (0 before the first).</summary>
    /// <exception cref="InvalidOperationException">The database mirrors a different ledger.</exception>
    public async Task<long> GetProjectedSequenceAsync(CancellationToken cancellationToken = default)
    {
        await using NpgsqlCommand command = database.CreateCommand("SELECT ledger_id, sequence FROM ledger_projection");
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        long sequence = 0;
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (reader.GetFieldValue<BigInteger>(0) != (BigInteger)ledger.LedgerId)
            {
                throw new InvalidOperationException($"This database holds the projection of ledger {reader.GetFieldValue<BigInteger>(0)}, not of {ledger.LedgerId}.");
            }
            sequence = reader.GetInt64(1);
        }
        return sequence;
    }

    /// <summary>Projects every batch committed when called, then returns.</summary>
    public Task<ProjectionProgress> CatchUpAsync(CancellationToken cancellationToken = default) =>
        ProjectAsync(ledger.CommittedSequence, cancellationToken);

    /// <summary>Projects batches as they commit until cancelled (or the engine is disposed).</summary>
    public Task<ProjectionProgress> RunAsync(CancellationToken cancellationToken) => ProjectAsync(through: null, cancellationToken);

    private async Task<ProjectionProgress> ProjectAsync(long? through, CancellationToken cancellationToken)
    {
        long projected = await GetProjectedSequenceAsync(cancellationToken).ConfigureAwait(false);
        var progress = new ProjectionProgress(projected + 1, projected, 0, 0, 0);
        if (projected >= through) return progress;

        await foreach (CommittedBatch batch in ledger.ReadCommittedAsync(projected + 1, cancellationToken).ConfigureAwait(false))
        {
            // The feed is gapless and ordered; anything else would break the checkpoint's meaning.
            if (batch.Sequence != projected + 1) throw new InvalidOperationException($"Expected batch {projected + 1}, the feed gave {batch.Sequence}.");

            (int accounts, int transfers) = await ApplyAsync(batch, projected, cancellationToken).ConfigureAwait(false);
            projected = batch.Sequence;
            progress = progress with
            {
                ThroughSequence = projected,
                Batches = progress.Batches + 1,
                AccountsInserted = progress.AccountsInserted + accounts,
                TransfersInserted = progress.TransfersInserted + transfers,
            };
            if (projected >= through) break;
        }
        return progress;
    }

    /// <summary>One batch in one transaction: its created rows, then the checkpoint moved from <paramref name="previous"/> to its sequence.</summary>
    private async Task<(int Accounts, int Transfers)> ApplyAsync(CommittedBatch batch, long previous, CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var sql = new NpgsqlBatch(connection, transaction);

        if (batch.Operation == LedgerOperation.CreateAccounts) await AddAccountsAsync(sql, batch, cancellationToken).ConfigureAwait(false);
        else if (batch.Operation == LedgerOperation.CreateTransfers) await AddTransfersAsync(sql, batch, cancellationToken).ConfigureAwait(false);
        int rows = sql.BatchCommands.Count;

        // Compare-and-set: only the projector that read `previous` may move the checkpoint.
        sql.BatchCommands.Add(Command("""
            INSERT INTO ledger_projection (ledger_id, sequence) VALUES ($1, $2)
            ON CONFLICT (ledger_id) DO UPDATE SET sequence = EXCLUDED.sequence, updated_at = now()
            WHERE ledger_projection.sequence = $3
            """, (BigInteger)ledger.LedgerId, batch.Sequence, previous));

        await sql.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        if (sql.BatchCommands[rows].RecordsAffected != 1)
        {
            throw new InvalidOperationException($"The checkpoint moved past {previous} meanwhile: another projector writes to this database.");
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);

        int inserted = 0;
        for (int i = 0; i < rows; i++) inserted += sql.BatchCommands[i].RecordsAffected;
        return batch.Operation == LedgerOperation.CreateAccounts ? (inserted, 0) : (0, inserted);
    }

    private async Task AddAccountsAsync(NpgsqlBatch sql, CommittedBatch batch, CancellationToken cancellationToken)
    {
        // The feed holds events as submitted, failed ones included: an event created its account exactly
        // when the stored account carries the timestamp that event was given.
        var ids = new UInt128[batch.Accounts.Length];
        for (int i = 0; i < ids.Length; i++) ids[i] = batch.Accounts.Span[i].Id;
        Dictionary<UInt128, Account> stored = (await ledger.LookupAccountsAsync(ids.Distinct().ToArray(), cancellationToken).ConfigureAwait(false)).ToDictionary(a => a.Id);

        for (int i = 0; i < ids.Length; i++)
        {
            Account a = batch.Accounts.Span[i];
            ulong timestamp = EventTimestamp(batch, i, (a.Flags & AccountFlags.Imported) != 0 ? a.Timestamp : null);
            if (!stored.TryGetValue(a.Id, out Account s) || s.Timestamp != timestamp) continue;

            // Flags as created: the stored ones may since have gained Closed.
            sql.BatchCommands.Add(Command("""
                INSERT INTO ledger_accounts (id, ledger, code, flags, user_data_128, user_data_64, user_data_32, timestamp, sequence)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING
                """, (BigInteger)a.Id, (long)a.Ledger, (int)a.Code, (int)a.Flags, (BigInteger)a.UserData128, (BigInteger)a.UserData64,
                (long)a.UserData32, checked((long)timestamp), batch.Sequence));
        }
    }

    private async Task AddTransfersAsync(NpgsqlBatch sql, CommittedBatch batch, CancellationToken cancellationToken)
    {
        var ids = new UInt128[batch.Transfers.Length];
        for (int i = 0; i < ids.Length; i++) ids[i] = batch.Transfers.Span[i].Id;
        Dictionary<UInt128, Transfer> stored = (await ledger.LookupTransfersAsync(ids.Distinct().ToArray(), cancellationToken).ConfigureAwait(false)).ToDictionary(t => t.Id);

        for (int i = 0; i < ids.Length; i++)
        {
            Transfer e = batch.Transfers.Span[i];
            ulong timestamp = EventTimestamp(batch, i, (e.Flags & TransferFlags.Imported) != 0 ? e.Timestamp : null);
            if (!stored.TryGetValue(e.Id, out Transfer t) || t.Timestamp != timestamp) continue;

            // The stored transfer, not the event: it has the amount that actually moved (balancing clamps
            // it, a post may take less than pending) and a post's or void's accounts filled in from the pending one.
            sql.BatchCommands.Add(Command("""
                INSERT INTO ledger_transfers (id, debit_account_id, credit_account_id, amount, pending_id, user_data_128, user_data_64,
                                              user_data_32, timeout, ledger, code, flags, timestamp, sequence)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) ON CONFLICT (id) DO NOTHING
                """, (BigInteger)t.Id, (BigInteger)t.DebitAccountId, (BigInteger)t.CreditAccountId, (BigInteger)t.Amount, (BigInteger)t.PendingId,
                (BigInteger)t.UserData128, (BigInteger)t.UserData64, (long)t.UserData32, (long)t.Timeout, (long)t.Ledger, (int)t.Code, (int)t.Flags,
                checked((long)timestamp), batch.Sequence));
        }
    }

    /// <summary>The timestamp event <paramref name="index"/> was given: its own when imported, else its slot below the batch's.</summary>
    private static ulong EventTimestamp(CommittedBatch batch, int index, ulong? imported)
    {
        int count = batch.Operation == LedgerOperation.CreateAccounts ? batch.Accounts.Length : batch.Transfers.Length;
        return imported ?? batch.Timestamp - (ulong)count + (ulong)index + 1;
    }

    private static NpgsqlBatchCommand Command(string text, params object[] values)
    {
        var command = new NpgsqlBatchCommand(text);
        foreach (object value in values) command.Parameters.Add(new NpgsqlParameter { Value = value });
        return command;
    }
}
