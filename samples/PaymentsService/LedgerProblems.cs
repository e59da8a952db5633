using LedgerCore;
using Microsoft.AspNetCore.Http.HttpResults;

namespace PaymentsService;

/// <summary>
/// Ledger result codes as problem details (the table is in README.md): 409 when the id is taken by a
/// different request, 422 when the request is well-formed but the ledger's rules refuse it. The code's
/// name is in the <c>result</c> extension so clients can branch on it.
/// </summary>
internal static class LedgerProblems
{
    public static ProblemHttpResult For(CreateAccountResult result) =>
        result.ToString().StartsWith("ExistsWith", StringComparison.Ordinal)
            ? Problem(StatusCodes.Status409Conflict, "Account id already used", "An account with this id exists with different fields.", result.ToString())
            : Problem(StatusCodes.Status422UnprocessableEntity, "Account refused by the ledger", $"The ledger answered {result}.", result.ToString());

    public static ProblemHttpResult For(CreateTransferResult result) =>
        result.ToString().StartsWith("ExistsWith", StringComparison.Ordinal)
            ? Problem(StatusCodes.Status409Conflict, "Idempotency-Key reused", "A transfer with this Idempotency-Key exists with different fields.", result.ToString())
            : Problem(StatusCodes.Status422UnprocessableEntity, "Transfer refused by the ledger", $"The ledger answered {result}.", result.ToString());

    public static ProblemHttpResult Unavailable(Exception e) =>
        Problem(StatusCodes.Status503ServiceUnavailable, "Ledger unavailable", $"{e.Message} The outcome is unknown: retry with the same Idempotency-Key.", e.GetType().Name);

    private static ProblemHttpResult Problem(int status, string title, string detail, string result) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail, extensions: new Dictionary<string, object?> { ["result"] = result });
}
