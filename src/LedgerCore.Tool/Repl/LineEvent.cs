namespace LedgerCore.Tool.Repl;

/// <summary>How <see cref="LineEditor.ReadLine"/> ended.</summary>
internal enum LineEvent
{
    /// <summary>Enter: the line is complete.</summary>
    Line,

    /// <summary>Ctrl-C: the line (and any statement open over earlier lines) is dropped.</summary>
    Cancelled,

    /// <summary>Ctrl-D on an empty line: the session ends.</summary>
    EndOfInput,
}
