using System.CommandLine;
using System.Net.Sockets;
using System.Security.Authentication;
using LedgerCore.Tcp;

namespace LedgerCore.Tool.Repl;

/// <summary>
/// <c>ledgercore repl --connect host:port[,host:port...] [--token T] [--command "stmt; ..."] [--json]</c>:
/// TigerBeetle's REPL syntax over the TCP adapter. Interactive with a line editor on a terminal; reads
/// plain lines from standard input when it is redirected; runs <c>--command</c> and exits.
/// </summary>
internal static class ReplCommand
{
    /// <summary>Every statement ran and the server answered it (a create's failed events are output, not a failure).</summary>
    public const int Ok = 0;

    /// <summary>A statement failed to parse, or failed at the server or on the connection, or the first connection failed.</summary>
    public const int StatementFailed = 1;

    /// <summary>Bad arguments (e.g. an endpoint that is not host:port).</summary>
    public const int UsageError = 2;

    /// <summary>The environment variable read for the token when <c>--token</c> is not given (keeps it out of the process list).</summary>
    public const string TokenVariable = "LEDGERCORE_TOKEN";

    private const string ExitCodes =
        "Exit codes (with --command or redirected input; an interactive session exits 0): 0 every statement ran (a create whose events failed prints them and is still 0, as TigerBeetle treats them as output; " +
        "so is a lookup that finds nothing), 1 a statement failed (a parse error, a connection or server error, or the first connection failed), 2 usage error.";

    /// <summary>The <c>repl</c> command, for the root command to add.</summary>
    public static Command Create()
    {
        Option<string> connect = new("--connect")
        {
            Description = "The server as host:port, or several (a replicated ledger) separated by commas; the client follows the leader among them.",
            Required = true,
        };
        Option<string> token = new("--token") { Description = $"The server's shared secret, if it requires one (default: the {TokenVariable} environment variable)." };
        Option<string> statements = new("--command") { Description = "Runs these statements (each ending with ';') and exits, instead of reading input." };
        Option<bool> json = new("--json") { Description = "Prints each result as one line of strict JSON (JSON lines) instead of indented objects." };
        Command command = new("repl",
            "An interactive shell over the TCP adapter, in TigerBeetle's REPL syntax: " +
            "create_accounts id=1 ledger=700 code=10, id=2 ledger=700 code=10; create_transfers id=1 debit_account_id=1 credit_account_id=2 amount=10 ledger=700 code=10; " +
            "lookup_accounts id=1, id=2; get_account_transfers account_id=1 flags=debits|credits limit=10; type help; for every operation and field. " +
            "On a terminal it edits lines (arrows, history; Ctrl-C drops the statement, Ctrl-D exits); with standard input or output redirected it runs every statement read, without a prompt. " + ExitCodes)
        {
            connect, token, statements, json,
        };
        command.SetAction(result => RunAsync(result.GetValue(connect)!, result.GetValue(token) ?? Environment.GetEnvironmentVariable(TokenVariable),
            result.GetValue(statements), result.GetValue(json)).GetAwaiter().GetResult());
        return command;
    }

    private static async Task<int> RunAsync(string connect, string? token, string? statements, bool json)
    {
        var options = new LedgerTcpClientOptions { AuthToken = string.IsNullOrEmpty(token) ? null : token };
        foreach (string endpoint in connect.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)) options.Endpoints.Add(endpoint);
        if (options.Endpoints.Count == 0)
        {
            Console.Error.WriteLine("--connect needs at least one host:port.");
            return UsageError;
        }

        LedgerTcpClient client;
        try
        {
            client = await LedgerTcpClient.ConnectAsync(options).ConfigureAwait(false);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"--connect: {e.Message}");
            return UsageError;
        }
        catch (Exception e) when (e is IOException or SocketException or TimeoutException or LedgerTcpException or AuthenticationException)
        {
            Console.Error.WriteLine($"error: cannot connect to {connect}: {e.Message}");
            return StatementFailed;
        }

        await using (client.ConfigureAwait(false))
        {
            var session = new ReplSession(client, new ResultPrinter(Console.Out, json), Console.Error);
            if (statements is not null) return await RunTextAsync(session, statements).ConfigureAwait(false);
            // The line editor echoes to standard output, so it runs only when both ends are a terminal; with
            // output redirected, lines typed are read as the terminal echoes them, and the output stays clean.
            if (Console.IsInputRedirected || Console.IsOutputRedirected) return await RunTextAsync(session, null).ConfigureAwait(false);
            Console.WriteLine($"Connected to ledger {ResultPrinter.Decimal(client.LedgerId)} at {connect}. Statements end with ';'; 'help;' lists them; Ctrl-D exits.");
            await ReplLoop.RunInteractiveAsync(session).ConfigureAwait(false);
            return Ok;
        }
    }

    /// <summary>Runs <paramref name="text"/>, or every line of standard input when null, statement by statement; a failed statement does not stop the rest.</summary>
    private static async Task<int> RunTextAsync(ReplSession session, string? text)
    {
        var buffer = new StatementBuffer();
        bool failed = false;
        if (text is not null)
        {
            buffer.Append(text);
            failed |= !await ReplLoop.RunCompleteAsync(session, buffer, CancellationToken.None).ConfigureAwait(false);
        }
        else
        {
            // Bounded by the input: each line read is appended and its complete statements run.
            while (Console.In.ReadLine() is { } line)
            {
                buffer.Append(line + "\n");
                failed |= !await ReplLoop.RunCompleteAsync(session, buffer, CancellationToken.None).ConfigureAwait(false);
            }
        }

        if (!buffer.IsBlank)
        {
            Console.Error.WriteLine($"error: {buffer.MissingSemicolon().Message}");
            failed = true;
        }

        return failed ? StatementFailed : Ok;
    }
}
