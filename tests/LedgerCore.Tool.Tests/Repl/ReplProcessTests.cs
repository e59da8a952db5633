using System.Text.Json;
using LedgerCore.Tcp;
using NUnit.Framework;

namespace LedgerCore.Tool.Tests.Repl;

/// <summary>
/// Runs <c>ledgercore repl</c> as a process against a real engine behind a real TCP server on 127.0.0.1
/// (port 0), with <c>--command</c> and with statements piped through standard input, and checks both the
/// output and what the engine then holds.
/// </summary>
public sealed class ReplProcessTests
{
    private const string Token = "repl-test-token";
    private string _directory = null!;
    private LedgerEngine _engine = null!;
    private LedgerTcpServer _server = null!;

    private string Endpoint => $"127.0.0.1:{_server.Port}";

    [SetUp]
    public async Task SetUp()
    {
        _directory = Directory.CreateTempSubdirectory("ledgercore-repl-").FullName;
        _engine = await LedgerEngine.OpenAsync(new LedgerOptions { DataDirectory = _directory });
        _server = new LedgerTcpServer(_engine, new LedgerTcpServerOptions { AuthToken = Token });
        await _server.StartAsync();
    }

    [TearDown]
    public async Task TearDown()
    {
        await _server.DisposeAsync();
        await _engine.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Test]
    public async Task Command_creates_accounts_and_a_transfer_that_the_engine_then_holds()
    {
        (int code, string output, string error) = Repl(null,
            "--command",
            "create_accounts id=1 ledger=700 code=10 flags=linked, id=2 ledger=700 code=10 flags=history; " +
            "create_transfers id=1 debit_account_id=1 credit_account_id=2 amount=10 ledger=700 code=10; lookup_accounts id=1, id=2;");

        Assert.That(code, Is.Zero, error);
        Account[] accounts = await _engine.LookupAccountsAsync(new UInt128[] { 1, 2 });
        Assert.That(accounts.Select(a => (a.Id, a.DebitsPosted, a.CreditsPosted)), Is.EqualTo(new (UInt128, UInt128, UInt128)[] { (1, 10, 0), (2, 0, 10) }));
        Assert.That(accounts.Select(a => a.Flags), Is.EqualTo(new[] { AccountFlags.Linked, AccountFlags.History }));
        Assert.That(output, Does.Contain("\"debits_posted\": \"10\"").And.Contain("\"credits_posted\": \"10\"").And.Contain("\"history\""));
    }

    [Test]
    public async Task Piped_statements_span_lines_and_every_read_prints_what_the_engine_holds()
    {
        const string input =
            "create_accounts id=1 ledger=700 code=10,\n" +
            "                id=2 ledger=700 code=10 flags=history;\n" +
            "create_transfers id=1 debit_account_id=1 credit_account_id=2 amount=10 ledger=700 code=10,\n" +
            "  id=2 debit_account_id=1 credit_account_id=2 amount=5 ledger=700 code=10 flags=pending timeout=3600;\n" +
            "create_accounts id=1 ledger=700 code=10; create_transfers id=3 debit_account_id=1 credit_account_id=1 amount=1 ledger=700 code=10;\n" +
            "lookup_transfers id=2;\n" +
            "get_account_transfers account_id=1 flags=debits|credits limit=10;\n" +
            "get_account_balances account_id=2 flags=debits|credits|reversed;\n" +
            "query_accounts ledger=700 limit=10;\n" +
            "query_transfers ledger=700 flags=reversed;\n" +
            "get_change_events limit=10;\n";

        (int code, string output, string error) = Repl(input, "--json");

        Assert.That(code, Is.Zero, error);
        Assert.That(error, Is.Empty);
        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        JsonElement[] rows = [.. lines.Select(l => JsonDocument.Parse(l).RootElement)];
        Assert.That(rows[0].GetProperty("result").GetString(), Is.EqualTo("exists"), "the account created again is output, not a failure");
        Assert.That(rows[1].GetProperty("result").GetString(), Is.EqualTo("accounts_must_be_different"));
        Assert.That(rows[2].GetProperty("flags")[0].GetString(), Is.EqualTo("pending"));
        Assert.That(rows[2].GetProperty("amount").GetString(), Is.EqualTo("5"));
        Assert.That(rows[3..5].Select(r => r.GetProperty("id").GetString()), Is.EqualTo(new[] { "1", "2" }), "get_account_transfers");
        Assert.That(rows[5..7].Select(r => r.GetProperty("credits_pending").GetString()), Is.EqualTo(new[] { "5", "0" }), "get_account_balances, reversed: newest first");
        Assert.That(rows[7..9].Select(r => r.GetProperty("id").GetString()), Is.EqualTo(new[] { "1", "2" }), "query_accounts");
        Assert.That(rows[9..11].Select(r => r.GetProperty("id").GetString()), Is.EqualTo(new[] { "2", "1" }), "query_transfers, reversed");
        Assert.That(rows[11..].Select(r => r.GetProperty("type").GetString()), Is.EqualTo(new[] { "single_phase", "two_phase_pending" }), "get_change_events");
        Assert.That(rows, Has.Length.EqualTo(13));
        Assert.That((await _engine.LookupTransfersAsync(new UInt128[] { 1, 2, 3 })).Select(t => t.Id), Is.EqualTo(new UInt128[] { 1, 2 }));
    }

    [Test]
    public async Task A_bad_statement_is_named_with_its_place_the_rest_still_run_and_the_exit_code_is_1()
    {
        const string input =
            "create_accounts id=1 ledger=700 code=10;\n" +
            "create_accounts id=2 ledger=700\n" +
            "  cod=10;\n" +
            "create_transfers id=1 amount=1x; create_accounts id=3 ledger=700 code=10;\n";

        (int code, string output, string error) = Repl(input);

        Assert.That(code, Is.EqualTo(1), output);
        Assert.That(error, Does.Contain("error: line 3, column 3: unknown field 'cod' for an account; valid fields: id,"));
        Assert.That(error, Does.Contain("\n    cod=10\n    ^\n"), "the line, with a caret under the column");
        Assert.That(error, Does.Contain("error: line 4, column 30: '1x' is not a valid u128 for 'amount'").And.Not.Contain("missing ';'"));
        Assert.That((await _engine.LookupAccountsAsync(new UInt128[] { 1, 2, 3 })).Select(a => a.Id), Is.EqualTo(new UInt128[] { 1, 3 }));
    }

    [Test]
    public async Task Input_that_ends_without_its_semicolon_runs_nothing_of_that_statement_and_is_exit_1()
    {
        (int code, _, string error) = Repl("create_accounts id=1 ledger=700 code=10;\ncreate_accounts id=2 ledger=700 code=10\n");

        Assert.That(code, Is.EqualTo(1));
        Assert.That(error, Does.Contain("error: line 2, column 40: missing ';' at the end of the statement"));
        Assert.That((await _engine.LookupAccountsAsync(new UInt128[] { 1, 2 })).Select(a => a.Id), Is.EqualTo(new UInt128[] { 1 }));
    }

    [Test]
    public void A_lookup_that_finds_nothing_says_so_and_is_exit_0()
    {
        (int code, string output, string error) = Repl(null, "--command", "lookup_accounts id=9;");

        Assert.That(code, Is.Zero, error);
        Assert.That(output.Trim(), Is.EqualTo("No accounts were found."));
    }

    [Test]
    public async Task Several_endpoints_are_tried_in_order_until_one_answers()
    {
        (int code, _, string error) = ToolProcess.RunWithInput(null, "repl", "--connect", $"127.0.0.1:{FreePort()}, {Endpoint}", "--token", Token,
            "--command", "create_accounts id=5 ledger=700 code=10;");

        Assert.That(code, Is.Zero, error);
        Assert.That((await _engine.LookupAccountsAsync(new UInt128[] { 5 })).Select(a => a.Id), Is.EqualTo(new UInt128[] { 5 }));
    }

    [Test]
    public void Wrong_token_and_no_server_are_exit_1_and_a_bad_endpoint_is_exit_2()
    {
        (int wrongToken, _, string wrongTokenError) = ToolProcess.RunWithInput(null, "repl", "--connect", Endpoint, "--token", "wrong", "--command", "help;");
        int closedPort = FreePort();
        (int noServer, _, string noServerError) = ToolProcess.RunWithInput(null, "repl", "--connect", $"127.0.0.1:{closedPort}", "--command", "help;");
        (int badEndpoint, _, string badEndpointError) = ToolProcess.RunWithInput(null, "repl", "--connect", "nonsense", "--command", "help;");
        (int noConnect, _, _) = ToolProcess.RunWithInput(null, "repl", "--command", "help;");

        Assert.Multiple(() =>
        {
            Assert.That(wrongToken, Is.EqualTo(1));
            Assert.That(wrongTokenError, Does.Contain($"error: cannot connect to {Endpoint}").And.Contain("AuthenticationFailed"));
            Assert.That(noServer, Is.EqualTo(1));
            Assert.That(noServerError, Does.Contain($"error: cannot connect to 127.0.0.1:{closedPort}"));
            Assert.That(badEndpoint, Is.EqualTo(2));
            Assert.That(badEndpointError, Does.Contain("'nonsense'").And.Contain("host:port"));
            Assert.That(noConnect, Is.EqualTo(2));
        });
    }

    [Test]
    public void The_token_may_come_from_the_environment_and_help_lists_every_operation()
    {
        Environment.SetEnvironmentVariable("LEDGERCORE_TOKEN", Token);
        try
        {
            (int code, string output, string error) = ToolProcess.RunWithInput(null, "repl", "--connect", Endpoint, "--command", "help;");

            Assert.That(code, Is.Zero, error);
            Assert.That(output, Does.Contain("create_accounts: id debits_pending").And.Contain("get_change_events: timestamp_min timestamp_max limit")
                .And.Contain("flags=(linked|debits_must_not_exceed_credits|credits_must_not_exceed_debits|history|imported|closed)"));
        }
        finally
        {
            Environment.SetEnvironmentVariable("LEDGERCORE_TOKEN", null);
        }
    }

    [Test]
    public async Task A_lost_server_is_an_error_for_that_statement_and_the_session_goes_on_once_it_is_back()
    {
        var start = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in (string[])[ToolProcess.ToolPath, "repl", "--connect", Endpoint, "--token", Token, "--json"]) start.ArgumentList.Add(argument);
        using var process = System.Diagnostics.Process.Start(start)!;
        var errors = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            lock (errors) errors.AppendLine(e.Data);
        };
        process.BeginErrorReadLine();
        try
        {
            int port = _server.Port;
            process.StandardInput.WriteLine("create_accounts id=1 ledger=700 code=10; lookup_accounts id=1;");
            process.StandardInput.Flush();
            string? first = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.That(first, Does.Contain("\"id\":\"1\""));

            await _server.DisposeAsync();
            process.StandardInput.WriteLine("create_accounts id=2 ledger=700 code=10;");
            process.StandardInput.Flush();
            // Bring the server back only once the tool has reported the failure (at most 30 s).
            for (int i = 0; i < 300 && !Contains(errors, "error: create_accounts"); i++) await Task.Delay(100);

            _server = new LedgerTcpServer(_engine, new LedgerTcpServerOptions { AuthToken = Token, Port = port });
            await _server.StartAsync();
            process.StandardInput.WriteLine("create_accounts id=3 ledger=700 code=10; lookup_accounts id=3;");
            process.StandardInput.Close();
            string rest = await process.StandardOutput.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));

            TestContext.Out.WriteLine(errors.ToString());
            Assert.That(process.ExitCode, Is.EqualTo(1), "a statement failed");
            Assert.That(Contains(errors, "error: create_accounts: the connection failed"), Is.True, errors.ToString());
            Assert.That(Contains(errors, "Its outcome is unknown: run it again with the same ids"), Is.True, errors.ToString());
            Assert.That(rest, Does.Contain("\"id\":\"3\""));
            Assert.That((await _engine.LookupAccountsAsync(new UInt128[] { 1, 2, 3 })).Select(a => a.Id), Is.EqualTo(new UInt128[] { 1, 3 }));
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
    }

    private static bool Contains(System.Text.StringBuilder text, string part)
    {
        lock (text) return text.ToString().Contains(part, StringComparison.Ordinal);
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private (int Code, string Output, string Error) Repl(string? input, params string[] arguments) =>
        ToolProcess.RunWithInput(input ?? string.Empty, ["repl", "--connect", Endpoint, "--token", Token, .. arguments]);
}
