-- LedgerCore's account/transfer model in PostgreSQL, for the comparison run by run.sh.
--
-- 128-bit ids and amounts are numeric(39,0) limited to 0 .. 2^128-1, so every value LedgerCore
-- accepts fits (bigint would be faster but would cut ids and balances to 63 bits). Result codes are
-- the names of LedgerCore's CreateTransferResult values in snake_case ('ok', 'exists', ...).
-- Only single-phase transfers are modelled: no pending/post/void, linked chains, balancing,
-- closing or history; that is the subset the load run exercises.

\set ON_ERROR_STOP on

CREATE DOMAIN u128 AS numeric(39, 0)
    CHECK (VALUE >= 0 AND VALUE <= 340282366920938463463374607431768211455);

CREATE TABLE accounts (
    id              u128 PRIMARY KEY,
    debits_pending  u128 NOT NULL DEFAULT 0,
    debits_posted   u128 NOT NULL DEFAULT 0,
    credits_pending u128 NOT NULL DEFAULT 0,
    credits_posted  u128 NOT NULL DEFAULT 0,
    user_data_128   u128 NOT NULL DEFAULT 0,
    user_data_64    numeric(20, 0) NOT NULL DEFAULT 0,
    user_data_32    bigint NOT NULL DEFAULT 0,
    ledger          bigint NOT NULL CHECK (ledger > 0),
    code            integer NOT NULL CHECK (code > 0),
    flags           integer NOT NULL DEFAULT 0,   -- 2 = debits_must_not_exceed_credits, 4 = credits_must_not_exceed_debits
    timestamp       bigint NOT NULL
);

CREATE TABLE transfers (
    id                u128 PRIMARY KEY,
    debit_account_id  u128 NOT NULL,
    credit_account_id u128 NOT NULL,
    amount            u128 NOT NULL,
    ledger            bigint NOT NULL,
    code              integer NOT NULL,
    flags             integer NOT NULL DEFAULT 0,
    timestamp         bigint NOT NULL
);

-- Nanoseconds since the Unix epoch, like LedgerCore's timestamps (microsecond resolution here, and
-- not made unique: LedgerCore's are strictly increasing per event).
CREATE FUNCTION now_ns() RETURNS bigint LANGUAGE sql VOLATILE AS
$$ SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint * 1000 $$;

-- One transfer, in LedgerCore's validation order for the fields modelled. Changes nothing unless
-- it returns 'ok'. The two account rows are locked lower id first, so concurrent transfers between
-- the same accounts queue instead of deadlocking.
CREATE FUNCTION create_transfer(
    p_id numeric, p_debit numeric, p_credit numeric, p_amount numeric, p_ledger bigint, p_code integer)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    int_max constant numeric := 340282366920938463463374607431768211455;
    existing transfers%ROWTYPE;
    dr accounts%ROWTYPE;
    cr accounts%ROWTYPE;
    inserted integer;
BEGIN
    IF p_id = 0 THEN RETURN 'id_must_not_be_zero'; END IF;
    IF p_id = int_max THEN RETURN 'id_must_not_be_int_max'; END IF;
    IF p_debit = 0 THEN RETURN 'debit_account_id_must_not_be_zero'; END IF;
    IF p_debit = int_max THEN RETURN 'debit_account_id_must_not_be_int_max'; END IF;
    IF p_credit = 0 THEN RETURN 'credit_account_id_must_not_be_zero'; END IF;
    IF p_credit = int_max THEN RETURN 'credit_account_id_must_not_be_int_max'; END IF;
    IF p_debit = p_credit THEN RETURN 'accounts_must_be_different'; END IF;
    IF p_ledger = 0 THEN RETURN 'ledger_must_not_be_zero'; END IF;
    IF p_code = 0 THEN RETURN 'code_must_not_be_zero'; END IF;

    -- Idempotency: an id seen before answers without touching anything (checked again at the
    -- insert below, for a concurrent duplicate).
    SELECT * INTO existing FROM transfers WHERE id = p_id;
    IF FOUND THEN
        RETURN transfer_exists_result(existing, p_debit, p_credit, p_amount, p_ledger, p_code);
    END IF;

    -- Consistent lock order: lower account id first.
    IF p_debit < p_credit THEN
        SELECT * INTO dr FROM accounts WHERE id = p_debit FOR UPDATE;
        SELECT * INTO cr FROM accounts WHERE id = p_credit FOR UPDATE;
    ELSE
        SELECT * INTO cr FROM accounts WHERE id = p_credit FOR UPDATE;
        SELECT * INTO dr FROM accounts WHERE id = p_debit FOR UPDATE;
    END IF;
    IF dr.id IS NULL THEN RETURN 'debit_account_not_found'; END IF;
    IF cr.id IS NULL THEN RETURN 'credit_account_not_found'; END IF;
    IF dr.ledger <> cr.ledger THEN RETURN 'accounts_must_have_the_same_ledger'; END IF;
    IF p_ledger <> dr.ledger THEN RETURN 'transfer_must_have_the_same_ledger_as_accounts'; END IF;

    IF dr.debits_posted + p_amount > int_max OR dr.debits_pending + dr.debits_posted + p_amount > int_max THEN
        RETURN 'overflows_debits';
    END IF;
    IF cr.credits_posted + p_amount > int_max OR cr.credits_pending + cr.credits_posted + p_amount > int_max THEN
        RETURN 'overflows_credits';
    END IF;
    IF dr.flags & 2 <> 0 AND dr.debits_pending + dr.debits_posted + p_amount > dr.credits_posted THEN
        RETURN 'exceeds_credits';
    END IF;
    IF cr.flags & 4 <> 0 AND cr.credits_pending + cr.credits_posted + p_amount > cr.debits_posted THEN
        RETURN 'exceeds_debits';
    END IF;

    INSERT INTO transfers (id, debit_account_id, credit_account_id, amount, ledger, code, flags, timestamp)
    VALUES (p_id, p_debit, p_credit, p_amount, p_ledger, p_code, 0, now_ns())
    ON CONFLICT (id) DO NOTHING;
    GET DIAGNOSTICS inserted = ROW_COUNT;
    IF inserted = 0 THEN
        -- A concurrent transaction committed the same id after our first look.
        SELECT * INTO existing FROM transfers WHERE id = p_id;
        RETURN transfer_exists_result(existing, p_debit, p_credit, p_amount, p_ledger, p_code);
    END IF;

    UPDATE accounts SET debits_posted = debits_posted + p_amount WHERE id = p_debit;
    UPDATE accounts SET credits_posted = credits_posted + p_amount WHERE id = p_credit;
    RETURN 'ok';
END $$;

CREATE FUNCTION transfer_exists_result(
    t transfers, p_debit numeric, p_credit numeric, p_amount numeric, p_ledger bigint, p_code integer)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN t.flags <> 0 THEN 'exists_with_different_flags'
        WHEN t.debit_account_id <> p_debit THEN 'exists_with_different_debit_account_id'
        WHEN t.credit_account_id <> p_credit THEN 'exists_with_different_credit_account_id'
        WHEN t.amount <> p_amount THEN 'exists_with_different_amount'
        WHEN t.ledger <> p_ledger THEN 'exists_with_different_ledger'
        WHEN t.code <> p_code THEN 'exists_with_different_code'
        ELSE 'exists'
    END
$$;

-- A batch in one transaction, like one LedgerCore CreateTransfersAsync call: each transfer succeeds
-- or fails on its own (no linked chains), and only the failures come back, as (index, result) with
-- a zero-based index. Every account the batch touches is locked up front in id order, so two
-- batches cannot deadlock; create_transfer's own row locks are then already held.
CREATE FUNCTION create_transfers(
    p_ids numeric[], p_debits numeric[], p_credits numeric[], p_amounts numeric[], p_ledger bigint, p_code integer)
RETURNS TABLE (index integer, result text) LANGUAGE plpgsql AS $$
DECLARE
    r text;
BEGIN
    PERFORM 1 FROM accounts WHERE id = ANY (p_debits || p_credits) ORDER BY id FOR UPDATE;
    FOR i IN 1 .. coalesce(array_length(p_ids, 1), 0) LOOP
        r := create_transfer(p_ids[i], p_debits[i], p_credits[i], p_amounts[i], p_ledger, p_code);
        IF r <> 'ok' THEN
            index := i - 1;
            result := r;
            RETURN NEXT;
        END IF;
    END LOOP;
END $$;

-- The accounts the load run transfers between: ids 1..n, ledger 1, code 1, no limit flags.
CREATE FUNCTION load_accounts(n integer) RETURNS void LANGUAGE sql AS $$
    INSERT INTO accounts (id, ledger, code, flags, timestamp)
    SELECT g, 1, 1, 0, now_ns() FROM generate_series(1, n) AS g
$$;
