using LedgerCore.Tcp;

namespace LedgerCore.Tool.Repl;

/// <summary>
/// Sends parsed statements through a <see cref="LedgerTcpClient"/> and prints their results. A failure
/// (connection, timeout, the server's refusal) is printed to the error writer and reported as false;
/// the session stays usable (the client reconnects on the next call).
/// </summary>
internal sealed class ReplSession(LedgerTcpClient client, ResultPrinter printer, TextWriter errors)
{
    /// <summary>Runs one statement.</summary>
    /// <returns>True when the server answered (a create whose events failed included: those are output, as in TigerBeetle); false when the statement failed.</returns>
    public async Task<bool> ExecuteAsync(ReplStatement statement, CancellationToken cancellationToken)
    {
        string name = SnakeCase.Of(statement.Operation);
        try
        {
            await RunAsync(statement, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (LedgerTcpException e) when (e.Code == LedgerTcpErrorCode.NotLeader)
        {
            errors.WriteLine($"error: {name}: not the leader: the servers kept answering NotLeader through the client's retries. Last answer: {Sentence(e.Message)}" +
                (e.LeaderEndpoint is null ? " No leader is known (an election may be under way); try again." : $" It names the leader at {e.LeaderEndpoint}.") + Unknown(statement));
        }
        catch (LedgerTcpException e)
        {
            errors.WriteLine($"error: {name}: the server refused the request: {Sentence(e.Message)}{(e.Code == LedgerTcpErrorCode.OutcomeUnknown ? Unknown(statement) : string.Empty)}");
        }
        catch (LedgerTcpConnectionException e)
        {
            errors.WriteLine($"error: {name}: the connection failed: {Sentence(e.Message)}{Unknown(statement)} The next statement connects again.");
        }
        catch (TimeoutException e)
        {
            errors.WriteLine($"error: {name}: no answer in time: {Sentence(e.Message)}{Unknown(statement)}");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            errors.WriteLine($"error: {name}: cancelled.{Unknown(statement)}");
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
        {
            errors.WriteLine($"error: {name}: the connection failed: {Sentence(e.Message)}{Unknown(statement)} The next statement connects again.");
        }
        catch (ArgumentException e)
        {
            // The client refuses a request larger than the server announced, before sending it.
            errors.WriteLine($"error: {name}: {Sentence(e.Message)}");
        }
        catch (InvalidOperationException e)
        {
            errors.WriteLine($"error: {name}: {Sentence(e.Message)}");
        }

        return false;
    }

    private static string Sentence(string message) => message.TrimEnd().TrimEnd('.') + ".";

    private static string Unknown(ReplStatement statement) =>
        statement.Operation is ReplOperation.CreateAccounts or ReplOperation.CreateTransfers
            ? " Its outcome is unknown: run it again with the same ids (creation is idempotent: what was applied answers exists)."
            : string.Empty;

    private async Task RunAsync(ReplStatement statement, CancellationToken cancellationToken)
    {
        switch (statement.Operation)
        {
            case ReplOperation.CreateAccounts:
                CreateAccountsResult[] accounts = await client.CreateAccountsAsync(statement.Accounts, cancellationToken).ConfigureAwait(false);
                var accountFailures = new List<(int, string)>(accounts.Length);
                foreach (CreateAccountsResult result in accounts) accountFailures.Add((result.Index, SnakeCase.Of(result.Result)));
                printer.CreateFailures("account", accountFailures);
                break;
            case ReplOperation.CreateTransfers:
                CreateTransfersResult[] transfers = await client.CreateTransfersAsync(statement.Transfers, cancellationToken).ConfigureAwait(false);
                var transferFailures = new List<(int, string)>(transfers.Length);
                foreach (CreateTransfersResult result in transfers) transferFailures.Add((result.Index, SnakeCase.Of(result.Result)));
                printer.CreateFailures("transfer", transferFailures);
                break;
            case ReplOperation.LookupAccounts:
                printer.Objects(await client.LookupAccountsAsync(statement.Ids, cancellationToken).ConfigureAwait(false), ReplSchema.Account, "No accounts were found.");
                break;
            case ReplOperation.LookupTransfers:
                printer.Objects(await client.LookupTransfersAsync(statement.Ids, cancellationToken).ConfigureAwait(false), ReplSchema.Transfer, "No transfers were found.");
                break;
            case ReplOperation.GetAccountTransfers:
                printer.Objects(await client.GetAccountTransfersAsync(statement.AccountFilter, cancellationToken).ConfigureAwait(false), ReplSchema.Transfer, "No transfers were found.");
                break;
            case ReplOperation.GetAccountBalances:
                printer.Balances(await client.GetAccountBalancesAsync(statement.AccountFilter, cancellationToken).ConfigureAwait(false));
                break;
            case ReplOperation.QueryAccounts:
                printer.Objects(await client.QueryAccountsAsync(statement.QueryFilter, cancellationToken).ConfigureAwait(false), ReplSchema.Account, "No accounts were found.");
                break;
            case ReplOperation.QueryTransfers:
                printer.Objects(await client.QueryTransfersAsync(statement.QueryFilter, cancellationToken).ConfigureAwait(false), ReplSchema.Transfer, "No transfers were found.");
                break;
            case ReplOperation.GetChangeEvents:
                printer.ChangeEvents(await client.GetChangeEventsAsync(statement.ChangeEventsFilter, cancellationToken).ConfigureAwait(false));
                break;
            default:
                printer.Help();
                break;
        }
    }
}
