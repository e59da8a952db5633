using System.Text.Json;
using LedgerCore.Tool.Repl;
using NUnit.Framework;

namespace LedgerCore.Tool.Tests.Repl;

/// <summary>The output: TigerBeetle-style indented objects, failed creates by result name, and strict JSON lines with --json.</summary>
public sealed class ResultPrinterTests
{
    private static readonly Account Account = new()
    {
        Id = UInt128.MaxValue, DebitsPosted = 10, Ledger = 700, Code = 10, Flags = AccountFlags.Linked | AccountFlags.History | (AccountFlags)0x400,
        UserData64 = ulong.MaxValue, Timestamp = 42,
    };

    [Test]
    public void Accounts_print_as_indented_objects_in_protocol_order_with_flag_names()
    {
        var output = new StringWriter();
        new ResultPrinter(output, json: false).Objects([Account], ReplSchema.Account, "No accounts were found.");

        Assert.That(output.ToString(), Is.EqualTo(
            """
            {
              "id": "340282366920938463463374607431768211455",
              "debits_pending": "0",
              "debits_posted": "10",
              "credits_pending": "0",
              "credits_posted": "0",
              "user_data_128": "0",
              "user_data_64": 18446744073709551615,
              "user_data_32": 0,
              "reserved": 0,
              "ledger": 700,
              "code": 10,
              "flags": [
                "linked",
                "history",
                "1024"
              ],
              "timestamp": 42
            }

            """.ReplaceLineEndings("\n").Replace("\n", Environment.NewLine, StringComparison.Ordinal)));
    }

    [Test]
    public void Json_mode_prints_one_parseable_line_per_object_and_nothing_for_none()
    {
        var output = new StringWriter();
        var printer = new ResultPrinter(output, json: true);
        printer.Objects([Account, new Account { Id = 2 }], ReplSchema.Account, "No accounts were found.");
        printer.Objects([], ReplSchema.Transfer, "No transfers were found.");

        string[] lines = output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(2));
        using var first = JsonDocument.Parse(lines[0]);
        Assert.That(first.RootElement.GetProperty("id").GetString(), Is.EqualTo("340282366920938463463374607431768211455"));
        Assert.That(first.RootElement.GetProperty("user_data_64").GetUInt64(), Is.EqualTo(ulong.MaxValue));
        Assert.That(first.RootElement.GetProperty("flags").EnumerateArray().Select(f => f.GetString()), Is.EqualTo(new[] { "linked", "history", "1024" }));
    }

    [Test]
    public void Failed_creates_print_their_index_and_result_name()
    {
        var text = new StringWriter();
        var json = new StringWriter();
        (int, string)[] failures = [(0, SnakeCase.Of(CreateTransferResult.ExistsWithDifferentUserData128)), (3, SnakeCase.Of(CreateTransferResult.ExceedsCredits))];
        new ResultPrinter(text, json: false).CreateFailures("transfer", failures);
        new ResultPrinter(json, json: true).CreateFailures("transfer", failures);

        Assert.That(text.ToString(), Is.EqualTo(
            $"Failed to create transfer (0): exists_with_different_user_data_128.{Environment.NewLine}Failed to create transfer (3): exceeds_credits.{Environment.NewLine}"));
        Assert.That(json.ToString(), Is.EqualTo(
            $$"""{"index":0,"result":"exists_with_different_user_data_128"}{{Environment.NewLine}}{"index":3,"result":"exceeds_credits"}{{Environment.NewLine}}"""));
    }

    [Test]
    public void Empty_results_say_so_in_text_mode()
    {
        var output = new StringWriter();
        var printer = new ResultPrinter(output, json: false);
        printer.Objects([], ReplSchema.Transfer, "No transfers were found.");
        printer.Balances([]);

        Assert.That(output.ToString(), Is.EqualTo($"No transfers were found.{Environment.NewLine}No balances were found (they are kept only for accounts with flags=history).{Environment.NewLine}"));
    }
}
