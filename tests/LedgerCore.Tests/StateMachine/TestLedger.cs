namespace LedgerCore.Tests.StateMachine;

/// <summary>
/// A <see cref="LedgerStateMachine"/> with a test clock: every batch is applied at a timestamp that
/// advances by one millisecond unless a test moves the clock itself. Helpers build the usual accounts
/// (ledger 1, code 1) and transfers, and return one event's result code (Ok when it succeeded).
/// </summary>
internal sealed class TestLedger
{
    /// <summary>The first batch timestamp: 1 000 s after the epoch, far from 0 and from the 63-bit limit.</summary>
    public const ulong Start = 1_000 * Second;

    public const ulong Second = 1_000_000_000;

    public const ulong Millisecond = 1_000_000;

    public TestLedger(ulong start = Start)
    {
        Now = start;
    }

    public LedgerStateMachine Machine { get; } = new();

    /// <summary>The timestamp the last batch was applied at (the start value before any batch).</summary>
    public ulong Now { get; private set; }

    /// <summary>A ledger with accounts 1 and 2 on ledger 1 and account 3 on ledger 2, all without flags.</summary>
    public static TestLedger WithAccounts()
    {
        var ledger = new TestLedger();
        ledger.MustCreateAccounts(Acct(1), Acct(2), Acct(3, ledger: 2));
        return ledger;
    }

    public static Account Acct(UInt128 id, AccountFlags flags = AccountFlags.None, uint ledger = 1) =>
        new() { Id = id, Ledger = ledger, Code = 1, Flags = flags };

    public static Transfer Xfer(UInt128 id, UInt128 debit, UInt128 credit, UInt128 amount, TransferFlags flags = TransferFlags.None) =>
        new() { Id = id, DebitAccountId = debit, CreditAccountId = credit, Amount = amount, Ledger = 1, Code = 1, Flags = flags };

    /// <summary>Transfer <paramref name="id"/> of 10 from account 1 to account 2.</summary>
    public static Transfer Xfer(UInt128 id, TransferFlags flags = TransferFlags.None) => Xfer(id, 1, 2, 10, flags);

    /// <summary>A post that states only what it must: the pending id and the amount.</summary>
    public static Transfer Post(UInt128 id, UInt128 pendingId, UInt128 amount) =>
        new() { Id = id, PendingId = pendingId, Amount = amount, Flags = TransferFlags.PostPendingTransfer };

    /// <summary>A void that states only the pending id (amount 0 = the pending amount).</summary>
    public static Transfer Void(UInt128 id, UInt128 pendingId) =>
        new() { Id = id, PendingId = pendingId, Flags = TransferFlags.VoidPendingTransfer };

    public void Advance(ulong nanoseconds) => Now += nanoseconds;

    public CreateAccountsResult[] CreateAccounts(params Account[] accounts)
    {
        Now += Millisecond;
        return Machine.CreateAccounts(accounts, Now);
    }

    public CreateTransfersResult[] CreateTransfers(params Transfer[] transfers)
    {
        Now += Millisecond;
        return Machine.CreateTransfers(transfers, Now);
    }

    /// <summary>Creates accounts that must all succeed (test setup).</summary>
    public void MustCreateAccounts(params Account[] accounts)
    {
        var failed = CreateAccounts(accounts);
        if (failed.Length != 0) throw new InvalidOperationException($"setup failed: {string.Join(", ", failed)}");
    }

    /// <summary>Creates transfers that must all succeed (test setup).</summary>
    public void MustCreateTransfers(params Transfer[] transfers)
    {
        var failed = CreateTransfers(transfers);
        if (failed.Length != 0) throw new InvalidOperationException($"setup failed: {string.Join(", ", failed)}");
    }

    /// <summary>Applies a batch of one account and returns its result.</summary>
    public CreateAccountResult Create(Account account) => ResultAt(CreateAccounts(account), 0);

    /// <summary>Applies a batch of one transfer and returns its result.</summary>
    public CreateTransferResult Create(Transfer transfer) => ResultAt(CreateTransfers(transfer), 0);

    public Account Account(UInt128 id) => Machine.LookupAccounts([id]).Single();

    public Transfer Transfer(UInt128 id) => Machine.LookupTransfers([id]).Single();

    public static CreateAccountResult ResultAt(CreateAccountsResult[] results, int index) =>
        results.Where(r => r.Index == index).Select(r => r.Result).DefaultIfEmpty(CreateAccountResult.Ok).Single();

    public static CreateTransferResult ResultAt(CreateTransfersResult[] results, int index) =>
        results.Where(r => r.Index == index).Select(r => r.Result).DefaultIfEmpty(CreateTransferResult.Ok).Single();
}
