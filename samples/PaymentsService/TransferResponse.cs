using System.Globalization;
using LedgerCore;

namespace PaymentsService;

/// <summary>A committed transfer as the ledger stored it; 128-bit values as decimal strings.</summary>
public sealed record TransferResponse(string Id, string DebitAccountId, string CreditAccountId, string Amount, uint Ledger, ushort Code, ulong Timestamp)
{
    internal static TransferResponse From(Transfer t) => new(
        S(t.Id), S(t.DebitAccountId), S(t.CreditAccountId), S(t.Amount), t.Ledger, t.Code, t.Timestamp);

    private static string S(UInt128 value) => value.ToString(CultureInfo.InvariantCulture);
}
