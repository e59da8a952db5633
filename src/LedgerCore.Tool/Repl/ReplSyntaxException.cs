namespace LedgerCore.Tool.Repl;

/// <summary>A statement could not be parsed: <see cref="Exception.Message"/> names the line, the column and what was wrong.</summary>
internal sealed class ReplSyntaxException : Exception
{
    /// <summary>Creates the error for a place in the input (both 1-based).</summary>
    public ReplSyntaxException(int line, int column, string problem)
        : base($"line {line}, column {column}: {problem}")
    {
        Line = line;
        Column = column;
        Problem = problem;
    }

    /// <summary>Creates the error without a place.</summary>
    public ReplSyntaxException()
    {
        Problem = string.Empty;
    }

    /// <summary>Creates the error without a place.</summary>
    public ReplSyntaxException(string message)
        : base(message)
    {
        Problem = message;
    }

    /// <summary>Creates the error without a place.</summary>
    public ReplSyntaxException(string message, Exception innerException)
        : base(message, innerException)
    {
        Problem = message;
    }

    /// <summary>The 1-based line of the input where the problem is.</summary>
    public int Line { get; }

    /// <summary>The 1-based column of that line.</summary>
    public int Column { get; }

    /// <summary>What was wrong, without the place.</summary>
    public string Problem { get; }
}
