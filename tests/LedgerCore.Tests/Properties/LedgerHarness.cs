using System.Globalization;
using FsCheck;
using FsCheck.Fluent;

namespace LedgerCore.Tests.Properties;

/// <summary>Drives machines with built batches and reads their whole (small) state back.</summary>
public static class LedgerHarness
{
    /// <summary>Cases per property: every property runs at least this many generated workloads.</summary>
    public const int Cases = 200;

    /// <summary>Ids the resolution batches of the pending-resolution property use (beyond the generated space).</summary>
    public const int ExtraTransferIdBase = 1000;

    /// <summary>Every account id a workload can create.</summary>
    public static readonly UInt128[] AccountIds = [.. Enumerable.Range(1, LedgerGenerators.AccountIdMax + 1).Select(i => (UInt128)i)];

    /// <summary>Every transfer id a workload (and the resolution batches) can create.</summary>
    public static readonly UInt128[] TransferIds =
    [
        .. Enumerable.Range(1, LedgerGenerators.TransferIdMax).Select(i => (UInt128)i),
        .. Enumerable.Range(ExtraTransferIdBase, 200).Select(i => (UInt128)i),
    ];

    /// <summary>Runs a property over <see cref="Cases"/> generated values; a failure throws with the shrunk counterexample and the replay seed.</summary>
    public static void Check<T>(Arbitrary<T> arbitrary, Action<T> property, int cases = Cases) =>
        Prop.ForAll(arbitrary, property).Check(Config.QuickThrowOnFailure.WithMaxTest(Math.Max(cases, Cases)));

    /// <summary>Applies one batch; returns every event's result code (0 = Ok).</summary>
    public static uint[] Apply(LedgerStateMachine machine, LedgerBatch batch)
    {
        ArgumentNullException.ThrowIfNull(machine);
        ArgumentNullException.ThrowIfNull(batch);
        var codes = new uint[batch.Count];
        if (batch.IsTransfers)
        {
            foreach (CreateTransfersResult r in machine.CreateTransfers(batch.Transfers.ToArray(), batch.Timestamp))
            {
                PropertyFailedException.Unless(r.Result != CreateTransferResult.Ok, () => "a failure was reported with result Ok");
                codes[r.Index] = (uint)r.Result;
            }
        }
        else
        {
            foreach (CreateAccountsResult r in machine.CreateAccounts(batch.Accounts.ToArray(), batch.Timestamp))
            {
                PropertyFailedException.Unless(r.Result != CreateAccountResult.Ok, () => "a failure was reported with result Ok");
                codes[r.Index] = (uint)r.Result;
            }
        }

        return codes;
    }

    /// <summary>A fresh machine fed <paramref name="count"/> batches.</summary>
    public static LedgerStateMachine Replay(IReadOnlyList<LedgerBatch> batches, int count)
    {
        ArgumentNullException.ThrowIfNull(batches);
        var machine = new LedgerStateMachine();
        for (int b = 0; b < count; b++) Apply(machine, batches[b]);
        return machine;
    }

    /// <summary>Every stored account, by id.</summary>
    public static SortedDictionary<UInt128, Account> Accounts(LedgerStateMachine machine)
    {
        ArgumentNullException.ThrowIfNull(machine);
        var found = machine.LookupAccounts(AccountIds);
        PropertyFailedException.Unless(found.Length == machine.AccountCount, () => "an account exists outside the generated id space or lookup misses one");
        return new SortedDictionary<UInt128, Account>(found.ToDictionary(a => a.Id));
    }

    /// <summary>Every stored transfer, by id.</summary>
    public static SortedDictionary<UInt128, Transfer> Transfers(LedgerStateMachine machine)
    {
        ArgumentNullException.ThrowIfNull(machine);
        var found = machine.LookupTransfers(TransferIds);
        PropertyFailedException.Unless(found.Length == machine.TransferCount, () => "a transfer exists outside the generated id space or lookup misses one");
        return new SortedDictionary<UInt128, Transfer>(found.ToDictionary(t => t.Id));
    }

    /// <summary>
    /// For each event, the index of the first event of its linked chain, or -1 when it is not in a
    /// chain. A chain runs from a linked event to the next unlinked one, or to the batch's end.
    /// </summary>
    public static int[] ChainStarts(LedgerBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var starts = new int[batch.Count];
        int open = -1;
        for (int i = 0; i < batch.Count; i++)
        {
            bool linked = batch.IsTransfers
                ? (batch.Transfers[i].Flags & TransferFlags.Linked) != 0
                : (batch.Accounts[i].Flags & AccountFlags.Linked) != 0;
            if (linked && open < 0) open = i;
            starts[i] = open;
            if (!linked) open = -1;
        }

        return starts;
    }

    /// <summary>A result code's name, for messages.</summary>
    public static string Name(LedgerBatch batch, uint code)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return batch.IsTransfers ? ((CreateTransferResult)code).ToString() : ((CreateAccountResult)code).ToString();
    }

    /// <summary>All of a batch's codes, for messages.</summary>
    public static string Describe(LedgerBatch batch, uint[] codes)
    {
        ArgumentNullException.ThrowIfNull(codes);
        return string.Join(", ", codes.Select((c, i) => string.Create(CultureInfo.InvariantCulture, $"[{i}] {Name(batch, c)}")));
    }

    /// <summary>An account without its timestamp (which depends on the event's position in its batch).</summary>
    public static Account WithoutTimestamp(Account account) => account with { Timestamp = 0 };

    /// <summary>A transfer without its timestamp.</summary>
    public static Transfer WithoutTimestamp(Transfer transfer) => transfer with { Timestamp = 0 };

    /// <summary>Whether two dictionaries hold the same keys and values; names the first difference.</summary>
    public static string? FirstDifference<T>(IReadOnlyDictionary<UInt128, T> expected, IReadOnlyDictionary<UInt128, T> actual, Func<T, T> normalize)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        ArgumentNullException.ThrowIfNull(normalize);
        foreach (var (id, e) in expected)
        {
            if (!actual.TryGetValue(id, out T? a)) return string.Create(CultureInfo.InvariantCulture, $"id {id} missing");
            if (!EqualityComparer<T>.Default.Equals(normalize(e), normalize(a))) return string.Create(CultureInfo.InvariantCulture, $"id {id}: expected {Show(e)} but was {Show(a)}");
        }

        foreach (var id in actual.Keys)
        {
            if (!expected.ContainsKey(id)) return string.Create(CultureInfo.InvariantCulture, $"id {id} unexpected");
        }

        return null;
    }

    /// <summary>A readable rendering of accounts and transfers.</summary>
    public static string Show<T>(T value) => value switch
    {
        Account a => string.Create(CultureInfo.InvariantCulture,
            $"Account(id={a.Id} dp={a.DebitsPending} dpo={a.DebitsPosted} cp={a.CreditsPending} cpo={a.CreditsPosted} ud={a.UserData128}/{a.UserData64}/{a.UserData32} l={a.Ledger} c={a.Code} f={a.Flags} ts={a.Timestamp})"),
        Transfer t => string.Create(CultureInfo.InvariantCulture,
            $"Transfer(id={t.Id} dr={t.DebitAccountId} cr={t.CreditAccountId} amt={t.Amount} pid={t.PendingId} ud={t.UserData128}/{t.UserData64}/{t.UserData32} to={t.Timeout} l={t.Ledger} c={t.Code} f={t.Flags} ts={t.Timestamp})"),
        _ => value?.ToString() ?? "null",
    };
}
