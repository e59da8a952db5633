namespace LedgerCore.Tool.Repl;

/// <summary>Feeds statements from a <see cref="StatementBuffer"/> to a <see cref="ReplSession"/>: the interactive loop and the step every mode shares.</summary>
internal static class ReplLoop
{
    /// <summary>Parses and runs every complete statement held; a parse error is printed and the next statement still runs.</summary>
    /// <returns>False when any statement failed to parse or to run.</returns>
    public static async Task<bool> RunCompleteAsync(ReplSession session, StatementBuffer buffer, CancellationToken cancellationToken)
    {
        bool ok = true;
        while (!cancellationToken.IsCancellationRequested && buffer.TryTake(out string text, out int line, out int column))
        {
            ReplStatement? statement;
            try
            {
                statement = StatementParser.Parse(text, line, column);
            }
            catch (ReplSyntaxException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                Console.Error.Write(Pointer(text, line, column, e));
                ok = false;
                continue;
            }

            if (statement is not null) ok &= await session.ExecuteAsync(statement, cancellationToken).ConfigureAwait(false);
        }

        return ok;
    }

    /// <summary>The statement's line where the error is, with a caret under its column (indented two spaces).</summary>
    internal static string Pointer(string text, int line, int column, ReplSyntaxException error)
    {
        string[] lines = text.Split('\n');
        int index = error.Line - line;
        if (index < 0 || index >= lines.Length) return string.Empty;
        string source = lines[index].TrimEnd('\r');
        int offset = error.Column - (index == 0 ? column : 1);
        if (offset < 0 || offset > source.Length) return string.Empty;
        return $"  {source}\n  {new string(' ', offset)}^\n";
    }

    /// <summary>
    /// Prompts (<c>&gt; </c>, then <c>... </c> while a statement is open), edits lines, runs statements as
    /// their <c>;</c> arrives; Ctrl-C while a statement runs cancels it, Ctrl-C while typing drops the open
    /// statement, Ctrl-D on an empty line ends. Lines and columns in errors count from the statement's first line.
    /// </summary>
    public static async Task RunInteractiveAsync(ReplSession session)
    {
        var editor = new LineEditor(() => Console.ReadKey(intercept: true), Console.Out);
        var buffer = new StatementBuffer();
        CancellationTokenSource? running = null;
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            // Only while a statement runs: keys are read with Ctrl-C as input, so this never fires while typing.
            e.Cancel = true;
            try
            {
                running?.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The statement finished as the key was pressed: nothing left to cancel.
            }
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            while (true)
            {
                Console.TreatControlCAsInput = true;
                LineEvent read = editor.ReadLine(buffer.IsBlank ? "> " : "... ", out string line);
                Console.TreatControlCAsInput = false;
                if (read == LineEvent.EndOfInput) return;
                if (read == LineEvent.Cancelled)
                {
                    buffer.Clear();
                    continue;
                }

                buffer.Append(line + "\n");
                var statement = new CancellationTokenSource();
                running = statement;
                try
                {
                    await RunCompleteAsync(session, buffer, statement.Token).ConfigureAwait(false);
                }
                finally
                {
                    running = null;
                    statement.Dispose();
                }

                // After Ctrl-C the statements left on the line are dropped with the one cancelled.
                if (buffer.IsBlank || statement.IsCancellationRequested) buffer.Clear();
            }
        }
        finally
        {
            Console.TreatControlCAsInput = false;
            Console.CancelKeyPress -= onCancel;
        }
    }
}
