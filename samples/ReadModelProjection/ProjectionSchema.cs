namespace ReadModelProjection;

/// <summary>The read model's tables: plain SQL types, 128-bit ids and amounts as <c>numeric(39,0)</c> so ad-hoc queries need no decoding.</summary>
internal static class ProjectionSchema
{
    public const string Create = """
        -- Balances and flags as of balances_timestamp, the last change event that touched the account (0: as created).
        CREATE TABLE IF NOT EXISTS ledger_accounts (
            id                 numeric(39,0) PRIMARY KEY,
            ledger             bigint        NOT NULL,
            code               integer       NOT NULL,
            flags              integer       NOT NULL,
            user_data_128      numeric(39,0) NOT NULL,
            user_data_64       numeric(20,0) NOT NULL,
            user_data_32       bigint        NOT NULL,
            timestamp          bigint        NOT NULL,
            debits_pending     numeric(39,0) NOT NULL,
            debits_posted      numeric(39,0) NOT NULL,
            credits_pending    numeric(39,0) NOT NULL,
            credits_posted     numeric(39,0) NOT NULL,
            balances_timestamp bigint        NOT NULL
        );
        -- As stored by the ledger. event_type: the change event that created the row (0 single-phase,
        -- 1 pending, 2 post, 3 void); pending_status: for pending transfers only, pending/posted/voided/expired.
        CREATE TABLE IF NOT EXISTS ledger_transfers (
            id                numeric(39,0) PRIMARY KEY,
            debit_account_id  numeric(39,0) NOT NULL,
            credit_account_id numeric(39,0) NOT NULL,
            amount            numeric(39,0) NOT NULL,
            pending_id        numeric(39,0) NOT NULL,
            user_data_128     numeric(39,0) NOT NULL,
            user_data_64      numeric(20,0) NOT NULL,
            user_data_32      bigint        NOT NULL,
            timeout           bigint        NOT NULL,
            ledger            bigint        NOT NULL,
            code              integer       NOT NULL,
            flags             integer       NOT NULL,
            timestamp         bigint        NOT NULL,
            event_type        smallint      NOT NULL,
            pending_status    text
        );
        CREATE INDEX IF NOT EXISTS ledger_transfers_debit ON ledger_transfers (debit_account_id);
        CREATE INDEX IF NOT EXISTS ledger_transfers_credit ON ledger_transfers (credit_account_id);
        -- Every change event projected, once (the key refuses a second): the history, and proof of no gaps.
        CREATE TABLE IF NOT EXISTS ledger_change_events (
            timestamp   bigint        PRIMARY KEY,
            type        smallint      NOT NULL,
            transfer_id numeric(39,0) NOT NULL
        );
        -- One row: which ledger this database mirrors, the last committed batch whose accounts are in the
        -- tables, and the timestamp of the last change event applied.
        CREATE TABLE IF NOT EXISTS ledger_projection (
            ledger_id        numeric(39,0) PRIMARY KEY,
            sequence         bigint        NOT NULL,
            change_timestamp bigint        NOT NULL,
            updated_at       timestamptz   NOT NULL DEFAULT now()
        );
        """;
}
