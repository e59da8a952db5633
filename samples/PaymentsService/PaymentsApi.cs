using LedgerCore;
using Microsoft.AspNetCore.Http.HttpResults;
using OpenTelemetry.Metrics;

namespace PaymentsService;

/// <summary>
/// A payments API over an embedded ledger: accounts, transfers keyed by an <c>Idempotency-Key</c>, balances
/// and a health endpoint. Built here (not in Program.cs) so a test can start the real app on a free port.
/// </summary>
public static class PaymentsApi
{
    /// <summary>The header whose value names a transfer; a retry with the same value answers the same outcome.</summary>
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    /// <summary>Builds the app: options from appsettings.json, environment and command line (<c>--urls</c>, <c>--Ledger:DataDirectory</c>).</summary>
    public static WebApplication Build(string[] args)
    {
        WebApplicationBuilder builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            // When a test hosts the app, the entry assembly is the test runner: name this one explicitly,
            // and read appsettings.json from beside this assembly rather than the current directory.
            ApplicationName = typeof(PaymentsApi).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });

        string dataDirectory = builder.Configuration["Ledger:DataDirectory"] ?? "payments-ledger-data";
        builder.Services.AddLedgerCore(o => o.DataDirectory = Path.GetFullPath(dataDirectory, builder.Environment.ContentRootPath));
        builder.Services.AddHealthChecks().AddCheck<LedgerHealthCheck>("ledger");
        builder.Services.AddProblemDetails();

        if (builder.Configuration.GetValue<bool>("Telemetry:ConsoleMetrics"))
        {
            // The meter's name is all OpenTelemetry needs: the engine's instruments are plain System.Diagnostics.Metrics.
            int intervalMs = builder.Configuration.GetValue("Telemetry:ExportIntervalMilliseconds", 10_000);
            builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
                .AddMeter(LedgerDiagnostics.MeterName)
                .AddConsoleExporter((_, reader) => reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = intervalMs));
        }

        WebApplication app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        MapEndpoints(app);
        return app;
    }

    private static void MapEndpoints(WebApplication app)
    {
        app.MapPost("/accounts", CreateAccountAsync);
        app.MapPost("/transfers", CreateTransferAsync);
        app.MapGet("/accounts/{id}/balance", GetBalanceAsync);
        app.MapGet("/transfers/{id}", GetTransferAsync);
        app.MapHealthChecks("/health");
    }

    private static async Task<Results<Created<AccountResponse>, Ok<AccountResponse>, ValidationProblem, ProblemHttpResult>> CreateAccountAsync(
        CreateAccountRequest request, LedgerEngine ledger, CancellationToken cancellationToken)
    {
        if (!request.TryToAccount(out Account account, out Dictionary<string, string[]> errors)) return TypedResults.ValidationProblem(errors);

        try
        {
            CreateAccountsResult[] failures = await ledger.CreateAccountsAsync(new[] { account }, cancellationToken).ConfigureAwait(false);
            CreateAccountResult result = failures.Length == 0 ? CreateAccountResult.Ok : failures[0].Result;
            if (result is not (CreateAccountResult.Ok or CreateAccountResult.Exists)) return LedgerProblems.For(result);

            Account[] stored = await ledger.LookupAccountsAsync(new[] { account.Id }, cancellationToken).ConfigureAwait(false);
            var response = AccountResponse.From(stored[0]);
            // Exists means an identical account is already there: creating it again is a successful no-op.
            return result == CreateAccountResult.Ok
                ? TypedResults.Created($"/accounts/{response.Id}/balance", response)
                : TypedResults.Ok(response);
        }
        catch (Exception e) when (e is LedgerFaultedException or IOException)
        {
            return LedgerProblems.Unavailable(e);
        }
    }

    private static async Task<Results<Created<TransferResponse>, ValidationProblem, ProblemHttpResult>> CreateTransferAsync(
        CreateTransferRequest request, HttpContext context, LedgerEngine ledger, CancellationToken cancellationToken)
    {
        string? key = context.Request.Headers[IdempotencyKeyHeader];
        if (!request.TryToTransfer(key, out Transfer transfer, out Dictionary<string, string[]> errors)) return TypedResults.ValidationProblem(errors);

        try
        {
            CreateTransfersResult[] failures = await ledger.CreateTransfersAsync(new[] { transfer }, cancellationToken).ConfigureAwait(false);
            CreateTransferResult result = failures.Length == 0 ? CreateTransferResult.Ok : failures[0].Result;
            if (result is not (CreateTransferResult.Ok or CreateTransferResult.Exists)) return LedgerProblems.For(result);

            // Exists: a retry of a request that already committed. It answers exactly what the first one did.
            if (result == CreateTransferResult.Exists) context.Response.Headers["Idempotent-Replayed"] = "true";
            Transfer[] stored = await ledger.LookupTransfersAsync(new[] { transfer.Id }, cancellationToken).ConfigureAwait(false);
            var response = TransferResponse.From(stored[0]);
            return TypedResults.Created($"/transfers/{response.Id}", response);
        }
        catch (Exception e) when (e is LedgerFaultedException or IOException)
        {
            // The outcome is unknown; the same Idempotency-Key makes the client's retry safe.
            return LedgerProblems.Unavailable(e);
        }
    }

    private static async Task<Results<Ok<TransferResponse>, ValidationProblem, ProblemHttpResult>> GetTransferAsync(
        string id, LedgerEngine ledger, CancellationToken cancellationToken)
    {
        if (!Ids.TryParse(id, out UInt128 transferId))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["id"] = [Ids.Rule] });
        }

        Transfer[] found = await ledger.LookupTransfersAsync(new[] { transferId }, cancellationToken).ConfigureAwait(false);
        return found.Length == 0
            ? TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Transfer not found", detail: $"No transfer has id {transferId}.")
            : TypedResults.Ok(TransferResponse.From(found[0]));
    }

    private static async Task<Results<Ok<AccountResponse>, ValidationProblem, ProblemHttpResult>> GetBalanceAsync(
        string id, LedgerEngine ledger, CancellationToken cancellationToken)
    {
        if (!Ids.TryParse(id, out UInt128 accountId))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["id"] = [Ids.Rule] });
        }

        Account[] found = await ledger.LookupAccountsAsync(new[] { accountId }, cancellationToken).ConfigureAwait(false);
        return found.Length == 0
            ? TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Account not found", detail: $"No account has id {accountId}.")
            : TypedResults.Ok(AccountResponse.From(found[0]));
    }
}
