namespace LedgerCore.Tool.Repl;

/// <summary>
/// Parses one statement (TigerBeetle's REPL syntax): <c>operation field=value ..., field=value ...</c>,
/// whose <c>;</c> the caller has already found (see <see cref="StatementBuffer"/>). Values are unsigned
/// integers (see <see cref="IntegerValue"/>); a flags field takes names joined by <c>|</c>.
/// </summary>
internal static class StatementParser
{
    private static readonly Dictionary<string, ReplOperation> Operations = OperationNames();

    /// <summary>Every operation's name, in declaration order.</summary>
    public static IEnumerable<string> OperationList => Operations.Keys;

    /// <summary>Parses <paramref name="text"/> (without its <c>;</c>), which starts at <paramref name="line"/> and <paramref name="column"/> of the input.</summary>
    /// <returns>The statement, or null when the text is only white space (an empty statement).</returns>
    /// <exception cref="ReplSyntaxException">The statement is not valid; the message names the line, column and what is wrong.</exception>
    public static ReplStatement? Parse(string text, int line = 1, int column = 1)
    {
        List<Token> tokens = Tokenizer.Tokenize(text, line, column);
        Token first = tokens[0];
        if (first.Kind == TokenKind.End) return null;
        if (first.Kind != TokenKind.Word) throw Error(first, $"expected an operation ({string.Join(", ", Operations.Keys)}), found '{first.Text}'");
        if (!Operations.TryGetValue(first.Text, out ReplOperation operation))
        {
            throw Error(first, $"unknown operation '{first.Text}'; valid operations: {string.Join(", ", Operations.Keys)}");
        }

        var reader = new Reader(tokens, first.Text);
        switch (operation)
        {
            case ReplOperation.CreateAccounts:
                return new ReplStatement { Operation = operation, Accounts = [.. reader.Objects(ReplSchema.Account, default, "account", many: true)] };
            case ReplOperation.CreateTransfers:
                return new ReplStatement { Operation = operation, Transfers = [.. reader.Objects(ReplSchema.Transfer, default, "transfer", many: true)] };
            case ReplOperation.LookupAccounts:
            case ReplOperation.LookupTransfers:
                return new ReplStatement { Operation = operation, Ids = [.. reader.Objects(ReplSchema.Id, UInt128.Zero, "id", many: true)] };
            case ReplOperation.GetAccountTransfers:
            case ReplOperation.GetAccountBalances:
                // TigerBeetle's defaults: both sides, as many as one answer holds (the client lowers the limit to it).
                var accountFilter = new AccountFilter { Limit = uint.MaxValue, Flags = AccountFilterFlags.Debits | AccountFilterFlags.Credits };
                return new ReplStatement { Operation = operation, AccountFilter = reader.One(ReplSchema.AccountFilter, accountFilter, "account filter") };
            case ReplOperation.QueryAccounts:
            case ReplOperation.QueryTransfers:
                return new ReplStatement { Operation = operation, QueryFilter = reader.One(ReplSchema.QueryFilter, new QueryFilter { Limit = uint.MaxValue }, "query filter") };
            case ReplOperation.GetChangeEvents:
                return new ReplStatement { Operation = operation, ChangeEventsFilter = reader.One(ReplSchema.ChangeEventsFilter, new ChangeEventsFilter(0, 0, uint.MaxValue), "change events filter") };
            default:
                reader.ExpectEnd();
                return new ReplStatement { Operation = operation };
        }
    }

    private static ReplSyntaxException Error(Token at, string problem) => new(at.Line, at.Column, problem);

    private static Dictionary<string, ReplOperation> OperationNames()
    {
        var names = new Dictionary<string, ReplOperation>(StringComparer.Ordinal);
        foreach (ReplOperation operation in Enum.GetValues<ReplOperation>()) names[SnakeCase.From(operation.ToString())] = operation;
        return names;
    }

    /// <summary>Walks the tokens after the operation.</summary>
    private sealed class Reader(List<Token> tokens, string operation)
    {
        private int _next = 1;

        private Token Current => tokens[_next];

        public void ExpectEnd()
        {
            if (Current.Kind != TokenKind.End) throw Error(Current, $"{operation} takes no arguments, found '{Current.Text}'");
        }

        /// <summary>One object (a filter): the defaults when the statement gives no field.</summary>
        public T One<T>(ReplField<T>[] fields, T defaults, string noun)
        {
            List<T> objects = Objects(fields, defaults, noun, many: false);
            return objects.Count == 0 ? defaults : objects[0];
        }

        /// <summary>Comma-separated objects; at least one when <paramref name="many"/> (a create or lookup needs something to send).</summary>
        public List<T> Objects<T>(ReplField<T>[] fields, T defaults, string noun, bool many)
        {
            var objects = new List<T>();
            if (Current.Kind == TokenKind.End)
            {
                if (many) throw Error(Current, $"{operation} needs at least one {noun}, e.g. {Example()}");
                return objects;
            }

            while (true)
            {
                objects.Add(Object(fields, defaults, noun));
                if (Current.Kind == TokenKind.End) return objects;
                if (!many) throw Error(Current, $"{operation} takes one {noun}, not a list: remove the ','");
                _next++; // the comma
                if (Current.Kind != TokenKind.Word) throw Error(Current, $"expected a field after ',' ({Article(noun)} {noun} of {operation})");
            }
        }

        private T Object<T>(ReplField<T>[] fields, T defaults, string noun)
        {
            T target = defaults;
            var given = new HashSet<string>(StringComparer.Ordinal);
            while (true)
            {
                Token key = Current;
                if (key.Kind != TokenKind.Word) throw Error(key, $"expected a field name, found '{key.Text}'");
                ReplField<T> field = Find(fields, key, noun);
                if (!given.Add(field.Name)) throw Error(key, $"field '{field.Name}' is given twice in one {noun} (separate objects with ',')");
                _next++;
                if (Current.Kind != TokenKind.Equals) throw Error(Current, $"expected '=' after '{key.Text}', found '{Current.Text}'");
                _next++;
                if (Current.Kind != TokenKind.Word) throw Error(Current, $"expected a value after '{key.Text}=', found '{Current.Text}'");
                field.Set(ref target, field.Flags is null ? Integer(field) : FlagsValue(field, noun));
                if (Current.Kind is TokenKind.Comma or TokenKind.End) return target;
            }
        }

        private static ReplField<T> Find<T>(ReplField<T>[] fields, Token key, string noun)
        {
            foreach (ReplField<T> field in fields)
            {
                if (field.Name == key.Text) return field;
            }

            var names = new List<string>(fields.Length);
            foreach (ReplField<T> field in fields) names.Add(field.Name);
            throw Error(key, $"unknown field '{key.Text}' for {Article(noun)} {noun}; valid fields: {string.Join(", ", names)}");
        }

        private UInt128 Integer<T>(ReplField<T> field)
        {
            Token value = Current;
            _next++;
            return IntegerValue.Parse(value, field.Name, field.TypeName, field.Max);
        }

        // name|name|...: TigerBeetle's flag names; a number (all bits at once) is accepted too, for bits without a name.
        private UInt128 FlagsValue<T>(ReplField<T> field, string noun)
        {
            UInt128 bits = 0;
            while (true)
            {
                Token word = Current;
                if (word.Kind != TokenKind.Word) throw Error(word, $"expected a flag name after '|', found '{word.Text}'");
                _next++;
                bits |= char.IsAsciiDigit(word.Text[0]) ? IntegerValue.Parse(word, field.Name, field.TypeName, field.Max) : Flag(field.Flags!, word, noun);
                if (Current.Kind != TokenKind.Pipe) return bits;
                _next++;
            }
        }

        private static UInt128 Flag(ReplFlag[] flags, Token word, string noun)
        {
            foreach (ReplFlag flag in flags)
            {
                if (flag.Name == word.Text) return flag.Value;
            }

            var names = new List<string>(flags.Length);
            foreach (ReplFlag flag in flags) names.Add(flag.Name);
            throw Error(word, $"unknown flag '{word.Text}' for {Article(noun)} {noun}; valid flags: {string.Join(", ", names)} (joined with '|')");
        }

        private static string Article(string noun) => noun[0] is 'a' or 'e' or 'i' or 'o' or 'u' ? "an" : "a";

        private string Example() => operation switch
        {
            "create_accounts" => "create_accounts id=1 ledger=700 code=10;",
            "create_transfers" => "create_transfers id=1 debit_account_id=1 credit_account_id=2 amount=10 ledger=700 code=10;",
            _ => $"{operation} id=1;",
        };
    }
}
