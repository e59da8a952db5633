namespace ReadModelProjection;

/// <summary>The read model's tables: plain SQL types, 128-bit ids and amounts as <c>numeric(39,0)</c> so ad-hoc queries need no decoding.</summary>
internal static class ProjectionSchema
{
    public const string Create = """
        CREATE TABLE IF NOT EXISTS ledger_accounts (
            id              numeric(39,0) PRIMARY KEY,
            ledger          bigint        NOT NULL,
            code            integer       NOT NULL,
            flags           integer       NOT NULL,
            user_data_128   numeric(39,0) NOT NULL,
            user_data_64    numeric(20,0) NOT NULL,
            user_data_32    bigint        NOT NULL,
            timestamp       bigint        NOT NULL,
            sequence        bigint        NOT NULL
        );
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
            sequence          bigint        NOT NULL
        );
        CREATE INDEX IF NOT EXISTS ledger_transfers_debit ON ledger_transfers (debit_account_id);
        CREATE INDEX IF NOT EXISTS ledger_transfers_credit ON ledger_transfers (credit_account_id);
        -- One row: which ledger this database mirrors and the last batch whose rows are in the tables above.
        CREATE TABLE IF NOT EXISTS ledger_projection (
            ledger_id  numeric(39,0) PRIMARY KEY,
            sequence   bigint        NOT NULL,
            updated_at timestamptz   NOT NULL DEFAULT now()
        );
        -- Posted balances from the transfers alone: a stored transfer's amount is what actually moved
        -- (clamped for balancing, the posted part for a post), and pending (2) and void (8) transfers move nothing posted.
        CREATE OR REPLACE VIEW ledger_account_balances AS
        SELECT a.id, a.ledger,
               COALESCE((SELECT sum(t.amount) FROM ledger_transfers t WHERE t.debit_account_id = a.id AND t.flags & 10 = 0), 0) AS debits_posted,
               COALESCE((SELECT sum(t.amount) FROM ledger_transfers t WHERE t.credit_account_id = a.id AND t.flags & 10 = 0), 0) AS credits_posted
        FROM ledger_accounts a;
        """;
}
