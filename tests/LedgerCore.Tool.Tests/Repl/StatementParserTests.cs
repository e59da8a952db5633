using LedgerCore.Tool.Repl;
using NUnit.Framework;

namespace LedgerCore.Tool.Tests.Repl;

/// <summary>The REPL's parser: every operation, every field, flags, numbers, and the errors' places and wording.</summary>
public sealed class StatementParserTests
{
    [Test]
    public void Create_accounts_takes_a_list_with_flags_and_every_field()
    {
        ReplStatement statement = Parse(
            "create_accounts id=1 ledger=700 code=10 flags=linked|history, id=2 debits_pending=3 debits_posted=4 credits_pending=5 credits_posted=6 " +
            "user_data_128=7 user_data_64=8 user_data_32=9 reserved=11 ledger=700 code=10 flags=debits_must_not_exceed_credits timestamp=12");

        Assert.That(statement.Operation, Is.EqualTo(ReplOperation.CreateAccounts));
        Assert.That(statement.Accounts, Is.EqualTo(new[]
        {
            new Account { Id = 1, Ledger = 700, Code = 10, Flags = AccountFlags.Linked | AccountFlags.History },
            new Account
            {
                Id = 2, DebitsPending = 3, DebitsPosted = 4, CreditsPending = 5, CreditsPosted = 6, UserData128 = 7, UserData64 = 8, UserData32 = 9,
                Reserved = 11, Ledger = 700, Code = 10, Flags = AccountFlags.DebitsMustNotExceedCredits, Timestamp = 12,
            },
        }));
    }

    [Test]
    public void Create_transfers_sets_every_field()
    {
        ReplStatement statement = Parse(
            "create_transfers id=1 debit_account_id=2 credit_account_id=3 amount=4 pending_id=5 user_data_128=6 user_data_64=7 user_data_32=8 " +
            "timeout=9 ledger=700 code=10 flags=pending | linked timestamp=11");

        Assert.That(statement.Transfers, Is.EqualTo(new[]
        {
            new Transfer
            {
                Id = 1, DebitAccountId = 2, CreditAccountId = 3, Amount = 4, PendingId = 5, UserData128 = 6, UserData64 = 7, UserData32 = 8,
                Timeout = 9, Ledger = 700, Code = 10, Flags = TransferFlags.Pending | TransferFlags.Linked, Timestamp = 11,
            },
        }));
    }

    [Test]
    public void Lookups_take_ids()
    {
        Assert.That(Parse("lookup_accounts id=1, id=2").Ids, Is.EqualTo(new UInt128[] { 1, 2 }));
        Assert.That(Parse("lookup_transfers id=340282366920938463463374607431768211455").Ids, Is.EqualTo(new[] { UInt128.MaxValue }));
        Assert.That(Parse("lookup_transfers id=7").Operation, Is.EqualTo(ReplOperation.LookupTransfers));
    }

    [Test]
    public void Account_filters_default_to_both_sides_and_the_largest_limit()
    {
        ReplStatement given = Parse("get_account_transfers account_id=1 flags=debits|credits|reversed limit=10 code=3 user_data_128=4 user_data_64=5 user_data_32=6 timestamp_min=7 timestamp_max=8");
        ReplStatement defaults = Parse("get_account_balances account_id=9");

        Assert.That(given.AccountFilter, Is.EqualTo(new AccountFilter
        {
            AccountId = 1, Flags = AccountFilterFlags.Debits | AccountFilterFlags.Credits | AccountFilterFlags.Reversed, Limit = 10, Code = 3,
            UserData128 = 4, UserData64 = 5, UserData32 = 6, TimestampMin = 7, TimestampMax = 8,
        }));
        Assert.That(defaults.Operation, Is.EqualTo(ReplOperation.GetAccountBalances));
        Assert.That(defaults.AccountFilter, Is.EqualTo(new AccountFilter { AccountId = 9, Limit = uint.MaxValue, Flags = AccountFilterFlags.Debits | AccountFilterFlags.Credits }));
    }

    [Test]
    public void Query_and_change_event_filters_take_their_fields_or_none()
    {
        Assert.That(Parse("query_accounts ledger=700 limit=10 flags=reversed user_data_128=1 user_data_64=2 user_data_32=3 code=4 timestamp_min=5 timestamp_max=6").QueryFilter,
            Is.EqualTo(new QueryFilter { Ledger = 700, Limit = 10, Flags = QueryFilterFlags.Reversed, UserData128 = 1, UserData64 = 2, UserData32 = 3, Code = 4, TimestampMin = 5, TimestampMax = 6 }));
        Assert.That(Parse("query_transfers").QueryFilter, Is.EqualTo(new QueryFilter { Limit = uint.MaxValue }));
        Assert.That(Parse("get_change_events timestamp_min=1 timestamp_max=2 limit=3").ChangeEventsFilter, Is.EqualTo(new ChangeEventsFilter(1, 2, 3)));
        Assert.That(Parse("get_change_events").ChangeEventsFilter, Is.EqualTo(new ChangeEventsFilter(0, 0, uint.MaxValue)));
    }

    [Test]
    public void Numbers_in_hex_binary_octal_and_from_the_maximum()
    {
        ReplStatement statement = Parse("create_transfers id=0xFF debit_account_id=0b101 credit_account_id=0o17 amount=-0 code=-1 ledger=-0");

        Transfer transfer = statement.Transfers[0];
        Assert.Multiple(() =>
        {
            Assert.That(transfer.Id, Is.EqualTo((UInt128)255));
            Assert.That(transfer.DebitAccountId, Is.EqualTo((UInt128)5));
            Assert.That(transfer.CreditAccountId, Is.EqualTo((UInt128)15));
            Assert.That(transfer.Amount, Is.EqualTo(UInt128.MaxValue));
            Assert.That(transfer.Code, Is.EqualTo(ushort.MaxValue - 1));
            Assert.That(transfer.Ledger, Is.EqualTo(uint.MaxValue));
        });
    }

    [Test]
    public void A_statement_spans_lines_and_an_empty_one_is_nothing()
    {
        ReplStatement statement = Parse("create_accounts\n  id=1 ledger=700 code=10,\n  id=2 ledger=700\n  code=10\n");

        Assert.That(statement.Accounts.Select(a => a.Id), Is.EqualTo(new UInt128[] { 1, 2 }));
        Assert.That(StatementParser.Parse("  \n "), Is.Null);
    }

    [Test]
    public void Help_takes_no_arguments()
    {
        Assert.That(Parse("help").Operation, Is.EqualTo(ReplOperation.Help));
        Assert.That(Error("help me"), Is.EqualTo("line 1, column 6: help takes no arguments, found 'me'"));
    }

    [Test]
    public void Unknown_operation_lists_the_valid_ones()
    {
        Assert.That(Error("  create_acounts id=1"), Is.EqualTo(
            "line 1, column 3: unknown operation 'create_acounts'; valid operations: create_accounts, create_transfers, lookup_accounts, lookup_transfers, " +
            "get_account_transfers, get_account_balances, query_accounts, query_transfers, get_change_events, help"));
    }

    [Test]
    public void Unknown_field_names_the_field_and_lists_the_valid_ones()
    {
        Assert.That(Error("create_accounts id=1 ledgr=700"), Is.EqualTo(
            "line 1, column 22: unknown field 'ledgr' for an account; valid fields: id, debits_pending, debits_posted, credits_pending, credits_posted, " +
            "user_data_128, user_data_64, user_data_32, reserved, ledger, code, flags, timestamp"));
        Assert.That(Error("lookup_accounts id=1, account_id=2"), Does.StartWith("line 1, column 23: unknown field 'account_id' for an id; valid fields: id"));
    }

    [Test]
    public void Bad_number_names_the_column_the_field_and_the_forms()
    {
        Assert.That(Error("create_transfers id=1 amount=12a"), Is.EqualTo(
            "line 1, column 30: '12a' is not a valid u128 for 'amount' (decimal, 0x hex, 0b binary, 0o octal, or -N for the maximum minus N)"));
        Assert.That(Error("create_accounts id=1\n code=70000"), Is.EqualTo("line 2, column 7: '70000' is out of range for 'code' (a u16: at most 65535)"));
        Assert.That(Error("create_accounts id=340282366920938463463374607431768211456"), Does.Contain("column 20: '340282366920938463463374607431768211456' is out of range for 'id' (a u128"));
        Assert.That(Error("create_accounts id=0x1g"), Does.Contain("'0x1g' is not a valid u128 for 'id'"));
        Assert.That(Error("create_transfers id=1 amount=1.5"), Does.StartWith("line 1, column 30: '1.5' is not a valid u128 for 'amount'"));
    }

    [Test]
    public void Unknown_flag_lists_the_valid_ones()
    {
        Assert.That(Error("create_transfers id=1 flags=pending|posted"), Is.EqualTo(
            "line 1, column 37: unknown flag 'posted' for a transfer; valid flags: linked, pending, post_pending_transfer, void_pending_transfer, " +
            "balancing_debit, balancing_credit, closing_debit, closing_credit, imported (joined with '|')"));
        Assert.That(Error("get_account_transfers account_id=1 flags=debits|"), Does.Contain("expected a flag name after '|'"));
    }

    [Test]
    public void Structure_errors_say_what_was_expected_where()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Error("create_accounts id 1"), Is.EqualTo("line 1, column 20: expected '=' after 'id', found '1'"));
            Assert.That(Error("create_accounts id="), Is.EqualTo("line 1, column 20: expected a value after 'id=', found ';'"));
            Assert.That(Error("create_accounts id=1,"), Is.EqualTo("line 1, column 22: expected a field after ',' (an account of create_accounts)"));
            Assert.That(Error("create_accounts id=1 id=2"), Is.EqualTo("line 1, column 22: field 'id' is given twice in one account (separate objects with ',')"));
            Assert.That(Error("create_accounts"), Does.StartWith("line 1, column 16: create_accounts needs at least one account, e.g. create_accounts id=1"));
            Assert.That(Error("query_accounts ledger=1, ledger=2"), Is.EqualTo("line 1, column 24: query_accounts takes one query filter, not a list: remove the ','"));
            Assert.That(Error("lookup_accounts id=1 & id=2"), Does.StartWith("line 1, column 22: unexpected character '&'"));
            Assert.That(Error("=1"), Does.StartWith("line 1, column 1: expected an operation"));
        });
    }

    [Test]
    public void Places_count_from_where_the_statement_starts_in_the_input()
    {
        var exception = Assert.Throws<ReplSyntaxException>(() => StatementParser.Parse(" lookup_accounts idd=1", line: 3, column: 10))!;

        Assert.That((exception.Line, exception.Column), Is.EqualTo((3, 27)));
        Assert.That(ReplLoop.Pointer(" lookup_accounts idd=1", 3, 10, exception), Is.EqualTo("   lookup_accounts idd=1\n                   ^\n"));
    }

    private static ReplStatement Parse(string text) => StatementParser.Parse(text) ?? throw new AssertionException("parsed as an empty statement");

    private static string Error(string text) => Assert.Throws<ReplSyntaxException>(() => StatementParser.Parse(text))!.Message;
}
