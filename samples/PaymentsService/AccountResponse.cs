using System.Globalization;
using LedgerCore;

namespace PaymentsService;

/// <summary>An account and its balances; 128-bit values as decimal strings.</summary>
public sealed record AccountResponse(string Id, uint Ledger, ushort Code, string Flags,
    string DebitsPending, string DebitsPosted, string CreditsPending, string CreditsPosted, ulong Timestamp)
{
    internal static AccountResponse From(Account a) => new(
        S(a.Id), a.Ledger, a.Code, a.Flags.ToString(),
        S(a.DebitsPending), S(a.DebitsPosted), S(a.CreditsPending), S(a.CreditsPosted), a.Timestamp);

    private static string S(UInt128 value) => value.ToString(CultureInfo.InvariantCulture);
}
