namespace LedgerCore.Tool.Repl;

/// <summary>The kinds of token in a statement.</summary>
internal enum TokenKind
{
    /// <summary>A run of letters, digits, <c>_</c>, <c>-</c>, <c>.</c> and <c>+</c>: an operation, a field name or a value.</summary>
    Word,

    /// <summary><c>=</c> between a field and its value.</summary>
    Equals,

    /// <summary><c>,</c> between objects.</summary>
    Comma,

    /// <summary><c>|</c> between flag names.</summary>
    Pipe,

    /// <summary>The end of the statement (where its <c>;</c> was).</summary>
    End,
}
