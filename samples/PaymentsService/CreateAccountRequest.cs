using LedgerCore;

namespace PaymentsService;

/// <summary>The body of <c>POST /accounts</c>.</summary>
/// <param name="Id">The account id, a decimal string (1 to 2^128 - 2).</param>
/// <param name="Ledger">The ledger (e.g. an ISO 4217 currency number); not zero.</param>
/// <param name="Code">The account's category; not zero.</param>
/// <param name="Flags">Flag names, e.g. <c>DebitsMustNotExceedCredits</c>; optional.</param>
public sealed record CreateAccountRequest(string? Id, uint Ledger, ushort Code, string[]? Flags)
{
    // Flags a client may set: the rest (Linked, Imported, Closed) belong to batch imports and closing transfers.
    private const AccountFlags Allowed = AccountFlags.DebitsMustNotExceedCredits | AccountFlags.CreditsMustNotExceedDebits | AccountFlags.History;

    internal bool TryToAccount(out Account account, out Dictionary<string, string[]> errors)
    {
        errors = [];
        if (!Ids.TryParse(Id, out UInt128 id)) errors["id"] = [Ids.Rule];
        if (Ledger == 0) errors["ledger"] = ["Must not be zero."];
        if (Code == 0) errors["code"] = ["Must not be zero."];

        AccountFlags flags = AccountFlags.None;
        foreach (string name in Flags ?? [])
        {
            // Names only: Enum.TryParse would also accept numbers, which would let any bit through.
            if (name.Length == 0 || char.IsAsciiDigit(name[0]) || !Enum.TryParse(name, ignoreCase: true, out AccountFlags flag) || flag == AccountFlags.None || (Allowed & flag) != flag)
            {
                errors["flags"] = [$"Unknown flag '{name}'; allowed: {Allowed}."];
                break;
            }
            flags |= flag;
        }

        account = new Account { Id = id, Ledger = Ledger, Code = Code, Flags = flags };
        return errors.Count == 0;
    }
}
