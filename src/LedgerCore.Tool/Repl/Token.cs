namespace LedgerCore.Tool.Repl;

/// <summary>One token and where it starts in the input (1-based line and column).</summary>
internal readonly record struct Token(TokenKind Kind, string Text, int Line, int Column);
