using System.Text;

namespace LedgerCore.Tool.Repl;

/// <summary>
/// Collects input (lines typed, lines piped, a <c>--command</c>) and hands out each statement once its
/// <c>;</c> has arrived, with the line and column where it starts, so a statement may span lines and a
/// line may hold several statements.
/// </summary>
internal sealed class StatementBuffer
{
    private readonly StringBuilder _text = new();
    private int _line = 1;
    private int _column = 1;

    /// <summary>Whether what is held is only white space (no statement is open).</summary>
    public bool IsBlank
    {
        get
        {
            for (int i = 0; i < _text.Length; i++)
            {
                if (!char.IsWhiteSpace(_text[i])) return false;
            }

            return true;
        }
    }

    /// <summary>Adds text as it comes (a line ends with <c>\n</c>).</summary>
    public void Append(string text) => _text.Append(text);

    /// <summary>Takes the next statement up to (without) its <c>;</c>, if one is complete.</summary>
    public bool TryTake(out string statement, out int line, out int column)
    {
        line = _line;
        column = _column;
        int end = -1;
        for (int i = 0; i < _text.Length; i++)
        {
            if (_text[i] == ';')
            {
                end = i;
                break;
            }
        }

        if (end < 0)
        {
            statement = string.Empty;
            return false;
        }

        statement = _text.ToString(0, end);
        Advance(_text.ToString(0, end + 1));
        _text.Remove(0, end + 1);
        return true;
    }

    /// <summary>The error for input that ended inside a statement: its <c>;</c> is missing, placed just after its last character.</summary>
    public ReplSyntaxException MissingSemicolon()
    {
        int line = _line;
        int column = _column;
        string text = _text.ToString().TrimEnd();
        foreach (char c in text)
        {
            (line, column) = c == '\n' ? (line + 1, 1) : (line, column + 1);
        }

        return new ReplSyntaxException(line, column, "missing ';' at the end of the statement");
    }

    /// <summary>Drops what is held and counts lines from 1 again (Ctrl-C, or the interactive prompt after a statement ran).</summary>
    public void Clear()
    {
        _text.Clear();
        _line = 1;
        _column = 1;
    }

    private void Advance(string consumed)
    {
        foreach (char c in consumed)
        {
            if (c == '\n')
            {
                _line++;
                _column = 1;
            }
            else
            {
                _column++;
            }
        }
    }
}
