using LedgerCore;

namespace PaymentsService;

/// <summary>The body of <c>POST /transfers</c>; the transfer's id comes from the <c>Idempotency-Key</c> header.</summary>
/// <param name="DebitAccountId">The account debited, a decimal string.</param>
/// <param name="CreditAccountId">The account credited, a decimal string.</param>
/// <param name="Amount">A positive decimal integer string, in the ledger's smallest unit.</param>
/// <param name="Ledger">The ledger of both accounts; not zero.</param>
/// <param name="Code">Why the money moves; not zero.</param>
public sealed record CreateTransferRequest(string? DebitAccountId, string? CreditAccountId, string? Amount, uint Ledger, ushort Code)
{
    internal bool TryToTransfer(string? idempotencyKey, out Transfer transfer, out Dictionary<string, string[]> errors)
    {
        errors = [];
        if (string.IsNullOrWhiteSpace(idempotencyKey) || idempotencyKey.Length > Ids.KeyLengthMax)
        {
            errors[PaymentsApi.IdempotencyKeyHeader] = [$"The header is required: 1 to {Ids.KeyLengthMax} characters naming this payment."];
        }
        if (!Ids.TryParse(DebitAccountId, out UInt128 debit)) errors["debitAccountId"] = [Ids.Rule];
        if (!Ids.TryParse(CreditAccountId, out UInt128 credit)) errors["creditAccountId"] = [Ids.Rule];
        if (errors.Count == 0 && debit == credit) errors["creditAccountId"] = ["Must differ from debitAccountId."];
        if (!UInt128.TryParse(Amount, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out UInt128 amount) || amount == 0)
        {
            errors["amount"] = ["Must be a positive decimal integer (the ledger's smallest unit)."];
        }
        if (Ledger == 0) errors["ledger"] = ["Must not be zero."];
        if (Code == 0) errors["code"] = ["Must not be zero."];

        transfer = errors.Count == 0
            ? new Transfer { Id = Ids.FromIdempotencyKey(idempotencyKey!), DebitAccountId = debit, CreditAccountId = credit, Amount = amount, Ledger = Ledger, Code = Code }
            : default;
        return errors.Count == 0;
    }
}
