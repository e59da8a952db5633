using NUnit.Framework;
using static LedgerCore.Tests.StateMachine.TestLedger;
using R = LedgerCore.CreateTransferResult;

namespace LedgerCore.Tests.StateMachine;

/// <summary>
/// One example per imported-event <see cref="CreateTransferResult"/>: the batch's first event decides
/// whether it imports; imported timestamps must lie in the past, not regress, and postdate both accounts.
/// </summary>
public class TransferResultImportedExamples
{
    private const TransferFlags Imported = TransferFlags.Imported;

    internal static IEnumerable<ResultExample<R>> Examples()
    {
        yield return new(R.ImportedEventExpected, () =>
        {
            var ledger = WithAccounts();
            var results = ledger.CreateTransfers(Xfer(10, Imported) with { Timestamp = ledger.Now + 1 }, Xfer(11));
            return ResultAt(results, 1);
        });

        yield return new(R.ImportedEventNotExpected, () =>
        {
            var ledger = WithAccounts();
            var results = ledger.CreateTransfers(Xfer(10), Xfer(11, Imported) with { Timestamp = ledger.Now + 1 });
            return ResultAt(results, 1);
        });

        yield return new(R.ImportedEventTimestampOutOfRange, () => WithAccounts().Create(Xfer(10, Imported)));

        yield return new(R.ImportedEventTimestampOutOfRange, () =>
            WithAccounts().Create(Xfer(10, Imported) with { Timestamp = 1UL << 63 }), "above_63_bits");

        yield return new(R.ImportedEventTimestampMustNotAdvance, () =>
        {
            var ledger = WithAccounts();
            // The batch is applied at Now + 1 ms.
            return ledger.Create(Xfer(10, Imported) with { Timestamp = ledger.Now + Millisecond });
        });

        yield return new(R.ImportedEventTimestampMustNotRegress, () =>
        {
            var ledger = WithAccounts();
            ulong past = ledger.Now + 1;
            var results = ledger.CreateTransfers(Xfer(10, Imported) with { Timestamp = past }, Xfer(11, Imported) with { Timestamp = past });
            return ResultAt(results, 1);
        });

        yield return new(R.ImportedEventTimestampMustNotRegress, () =>
        {
            var ledger = WithAccounts();
            ulong past = ledger.Now + 1;
            var results = ledger.CreateTransfers(
                Xfer(20, TransferFlags.Pending | Imported) with { Timestamp = past + 1 },
                Post(30, 20, 10) with { Flags = TransferFlags.PostPendingTransfer | Imported, Timestamp = past });
            return ResultAt(results, 1);
        }, "post");

        // Reference: timestamps are unique across accounts and transfers; an imported transfer may not
        // take an account's timestamp (state_machine.zig looks it up in the accounts too).
        yield return new(R.ImportedEventTimestampMustNotRegress, () =>
            ImportedAccounts().Create(Xfer(10, 1, 2, 10, Imported) with { Timestamp = 300 }), "taken_by_an_account");

        yield return new(R.ImportedEventTimestampMustPostdateDebitAccount, () =>
            ImportedAccounts().Create(Xfer(10, 5, 1, 10, Imported) with { Timestamp = 250 }));

        yield return new(R.ImportedEventTimestampMustPostdateCreditAccount, () =>
            ImportedAccounts().Create(Xfer(10, 1, 5, 10, Imported) with { Timestamp = 250 }));

        yield return new(R.ImportedEventTimeoutMustBeZero, () =>
            ImportedAccounts().Create(Xfer(10, 1, 2, 10, TransferFlags.Pending | Imported) with { Timestamp = 400, Timeout = 1 }));
    }

    public static IEnumerable<TestCaseData> Cases() => Examples().Select(e => e.ToTestCase("TransferResult"));

    [TestCaseSource(nameof(Cases))]
    public void Example(R expected, Func<R> run)
    {
        Assert.That(run(), Is.EqualTo(expected));
    }

    [Test]
    public void Imported_transfer_keeps_its_own_timestamp()
    {
        var ledger = ImportedAccounts();
        Assert.That(ledger.Create(Xfer(10, 1, 2, 10, Imported) with { Timestamp = 400 }), Is.EqualTo(R.Ok));
        Assert.That(ledger.Transfer(10).Timestamp, Is.EqualTo(400UL));
        Assert.That(ledger.Account(1).DebitsPosted, Is.EqualTo((UInt128)10));
    }

    /// <summary>Imported accounts 1 (timestamp 100), 2 (200) and 5 (300) on ledger 1.</summary>
    private static TestLedger ImportedAccounts()
    {
        var ledger = new TestLedger();
        ledger.MustCreateAccounts(
            Acct(1, AccountFlags.Imported) with { Timestamp = 100 },
            Acct(2, AccountFlags.Imported) with { Timestamp = 200 },
            Acct(5, AccountFlags.Imported) with { Timestamp = 300 });
        return ledger;
    }
}
