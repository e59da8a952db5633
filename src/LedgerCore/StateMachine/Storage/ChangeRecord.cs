using System.Runtime.InteropServices;

namespace LedgerCore.StateMachine.Storage;

/// <summary>
/// One change event as stored: appended once per stored transfer and once per expiry, in apply order,
/// which is timestamp order. 144 bytes: what cannot be read back later (the eight balances of the two
/// accounts right after the event and their flags, which closing transfers change) plus where the rest
/// lives (the transfer, whose accounts' ids, user data and code never change). The type is not stored:
/// an expiry is the only event whose timestamp differs from its transfer's (the pending one's).
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct ChangeRecord
{
    public ulong Timestamp;
    public int TransferIndex;
    public AccountFlags DebitFlags;
    public AccountFlags CreditFlags;
    public UInt128 DebitDebitsPending;
    public UInt128 DebitDebitsPosted;
    public UInt128 DebitCreditsPending;
    public UInt128 DebitCreditsPosted;
    public UInt128 CreditDebitsPending;
    public UInt128 CreditDebitsPosted;
    public UInt128 CreditCreditsPending;
    public UInt128 CreditCreditsPosted;

    public ChangeRecord(ulong timestamp, int transferIndex, in Account debit, in Account credit)
    {
        Timestamp = timestamp;
        TransferIndex = transferIndex;
        DebitFlags = debit.Flags;
        CreditFlags = credit.Flags;
        DebitDebitsPending = debit.DebitsPending;
        DebitDebitsPosted = debit.DebitsPosted;
        DebitCreditsPending = debit.CreditsPending;
        DebitCreditsPosted = debit.CreditsPosted;
        CreditDebitsPending = credit.DebitsPending;
        CreditDebitsPosted = credit.DebitsPosted;
        CreditCreditsPending = credit.CreditsPending;
        CreditCreditsPosted = credit.CreditsPosted;
    }

    /// <summary>The account as it stood right after the event: its fixed fields from <paramref name="current"/>.</summary>
    public readonly Account Debit(in Account current) => current with
    {
        DebitsPending = DebitDebitsPending, DebitsPosted = DebitDebitsPosted,
        CreditsPending = DebitCreditsPending, CreditsPosted = DebitCreditsPosted, Flags = DebitFlags,
    };

    /// <summary>The credit account as it stood right after the event.</summary>
    public readonly Account Credit(in Account current) => current with
    {
        DebitsPending = CreditDebitsPending, DebitsPosted = CreditDebitsPosted,
        CreditsPending = CreditCreditsPending, CreditsPosted = CreditCreditsPosted, Flags = CreditFlags,
    };
}
