using NUnit.Framework;
using static LedgerCore.Tests.StateMachine.TestLedger;

namespace LedgerCore.Tests.StateMachine;

/// <summary>
/// Ids are full 128-bit values (UUIDs, ULIDs): every id except 0 and UInt128.MaxValue works, including
/// ids whose low 64 bits are equal and ids near the top of the range.
/// </summary>
public class WideIdTests
{
    private static readonly UInt128 High = new(0x0123_4567_89AB_CDEF, 0xFEDC_BA98_7654_3210);
    private static readonly UInt128 SameLowHalf = new(0x0000_0000_0000_0001, 0xFEDC_BA98_7654_3210);
    private static readonly UInt128 NearMax = UInt128.MaxValue - 1;

    [Test]
    public void Accounts_and_transfers_with_ids_above_64_bits()
    {
        var ledger = new TestLedger();
        Assert.That(ledger.CreateAccounts(Acct(High), Acct(SameLowHalf), Acct(NearMax)), Is.Empty);
        Assert.That(ledger.Machine.LookupAccounts([NearMax, High, SameLowHalf]).Select(a => a.Id), Is.EqualTo(new[] { NearMax, High, SameLowHalf }));
        Assert.That(ledger.Create(Acct(High)), Is.EqualTo(CreateAccountResult.Exists));

        Assert.That(ledger.CreateTransfers(
            Xfer(High, High, SameLowHalf, 5, TransferFlags.Pending),
            Xfer(SameLowHalf, NearMax, High, 7)), Is.Empty);
        Assert.That(ledger.Create(Post(NearMax, High, 5)), Is.EqualTo(CreateTransferResult.Ok));
        Assert.That(ledger.Machine.LookupTransfers([High, SameLowHalf, NearMax]).Select(t => t.Amount), Is.EqualTo(new UInt128[] { 5, 7, 5 }));
        Assert.That(ledger.Account(High).DebitsPosted, Is.EqualTo((UInt128)5));
        Assert.That(ledger.Machine.GetAccountTransfers(new AccountFilter { AccountId = High, Limit = 10, Flags = AccountFilterFlags.Debits | AccountFilterFlags.Credits }),
            Has.Length.EqualTo(3));
    }
}
