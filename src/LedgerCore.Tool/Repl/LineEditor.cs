using System.Text;

namespace LedgerCore.Tool.Repl;

/// <summary>
/// A small line editor over single key presses (<see cref="Console.ReadKey(bool)"/> in the tool; a list
/// of keys in tests): left/right (Ctrl-B/F), home/end (Ctrl-A/E), backspace, delete, Ctrl-U/Ctrl-K
/// (erase to the start/end), up/down (Ctrl-P/N) through the history, Ctrl-C drops the line, Ctrl-D on
/// an empty line ends input. The line is redrawn with ANSI escapes (carriage return, erase to end of line,
/// cursor left), so it assumes a line shorter than the terminal is wide. History is kept in memory only,
/// at most <see cref="HistoryMax"/> lines.
/// </summary>
internal sealed class LineEditor(Func<ConsoleKeyInfo> readKey, TextWriter echo)
{
    /// <summary>The most lines the history keeps; the oldest go first.</summary>
    public const int HistoryMax = 1000;

    private readonly List<string> _history = [];

    /// <summary>The lines entered so far, oldest first (blank lines and repeats of the previous line are not kept).</summary>
    public IReadOnlyList<string> History => _history;

    /// <summary>Reads one line, echoing <paramref name="prompt"/> and the edits.</summary>
    public LineEvent ReadLine(string prompt, out string line)
    {
        var text = new StringBuilder();
        int cursor = 0;
        int recalled = _history.Count; // the history entry shown; Count is the line being typed
        string draft = string.Empty;
        echo.Write(prompt);
        while (true)
        {
            ConsoleKeyInfo key = readKey();
            bool control = (key.Modifiers & ConsoleModifiers.Control) != 0;
            switch (key.Key)
            {
                case ConsoleKey.Enter:
                    echo.Write('\n');
                    line = text.ToString();
                    Remember(line);
                    return LineEvent.Line;
                case ConsoleKey.C when control:
                    echo.Write("^C\n");
                    line = string.Empty;
                    return LineEvent.Cancelled;
                case ConsoleKey.D when control && text.Length == 0:
                    echo.Write('\n');
                    line = string.Empty;
                    return LineEvent.EndOfInput;
                case ConsoleKey.D when control:
                case ConsoleKey.Delete:
                    if (cursor < text.Length) text.Remove(cursor, 1);
                    break;
                case ConsoleKey.Backspace:
                case ConsoleKey.H when control:
                    if (cursor > 0) text.Remove(--cursor, 1);
                    break;
                case ConsoleKey.LeftArrow:
                case ConsoleKey.B when control:
                    cursor = Math.Max(0, cursor - 1);
                    break;
                case ConsoleKey.RightArrow:
                case ConsoleKey.F when control:
                    cursor = Math.Min(text.Length, cursor + 1);
                    break;
                case ConsoleKey.Home:
                case ConsoleKey.A when control:
                    cursor = 0;
                    break;
                case ConsoleKey.End:
                case ConsoleKey.E when control:
                    cursor = text.Length;
                    break;
                case ConsoleKey.U when control:
                    text.Remove(0, cursor);
                    cursor = 0;
                    break;
                case ConsoleKey.K when control:
                    text.Remove(cursor, text.Length - cursor);
                    break;
                case ConsoleKey.UpArrow:
                case ConsoleKey.P when control:
                    if (recalled == 0) break;
                    if (recalled == _history.Count) draft = text.ToString();
                    Show(text, _history[--recalled], ref cursor);
                    break;
                case ConsoleKey.DownArrow:
                case ConsoleKey.N when control:
                    if (recalled == _history.Count) break;
                    recalled++;
                    Show(text, recalled == _history.Count ? draft : _history[recalled], ref cursor);
                    break;
                default:
                    if (control || char.IsControl(key.KeyChar) || key.KeyChar == '\0') continue; // nothing to redraw
                    text.Insert(cursor++, key.KeyChar);
                    break;
            }

            Redraw(prompt, text, cursor);
        }
    }

    private static void Show(StringBuilder text, string line, ref int cursor)
    {
        text.Clear().Append(line);
        cursor = text.Length;
    }

    private void Remember(string line)
    {
        if (string.IsNullOrWhiteSpace(line) || (_history.Count > 0 && _history[^1] == line)) return;
        if (_history.Count == HistoryMax) _history.RemoveAt(0);
        _history.Add(line);
    }

    private void Redraw(string prompt, StringBuilder text, int cursor)
    {
        echo.Write('\r');
        echo.Write(prompt);
        echo.Write(text.ToString());
        echo.Write("\u001b[K");
        if (cursor < text.Length) echo.Write($"\u001b[{text.Length - cursor}D");
    }
}
