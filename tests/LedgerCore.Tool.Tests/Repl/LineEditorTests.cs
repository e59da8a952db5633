using LedgerCore.Tool.Repl;
using NUnit.Framework;

namespace LedgerCore.Tool.Tests.Repl;

/// <summary>The line editor, driven by a list of key presses.</summary>
public sealed class LineEditorTests
{
    [Test]
    public void Typing_and_moving_the_cursor_edit_the_line()
    {
        // "lookup_acounts" -> Home, Ctrl-F x8 (after "lookup_a"), insert 'c'; End, Backspace x1, type "s id=1;"; Left x2 + Delete removes '1', type '2'.
        var keys = new List<ConsoleKeyInfo>();
        keys.AddRange(Type("lookup_acounts"));
        keys.Add(Key(ConsoleKey.Home));
        for (int i = 0; i < 8; i++) keys.Add(Control(ConsoleKey.F));
        keys.AddRange(Type("c"));
        keys.Add(Key(ConsoleKey.End));
        keys.Add(Key(ConsoleKey.Backspace));
        keys.AddRange(Type("s id=1;"));
        keys.Add(Key(ConsoleKey.LeftArrow));
        keys.Add(Key(ConsoleKey.LeftArrow));
        keys.Add(Key(ConsoleKey.Delete));
        keys.AddRange(Type("2"));
        keys.Add(Key(ConsoleKey.Enter));

        (LineEvent read, string line, _) = Read(new LineEditor(Keys(keys), TextWriter.Null));

        Assert.That((read, line), Is.EqualTo((LineEvent.Line, "lookup_accounts id=2;")));
    }

    [Test]
    public void Up_and_down_walk_the_history_and_return_to_the_draft()
    {
        var keys = new List<ConsoleKeyInfo>();
        keys.AddRange(Type("first;"));
        keys.Add(Key(ConsoleKey.Enter));
        keys.AddRange(Type("second;"));
        keys.Add(Key(ConsoleKey.Enter));
        keys.AddRange(Type("draft"));
        keys.Add(Key(ConsoleKey.UpArrow));
        keys.Add(Key(ConsoleKey.UpArrow));
        keys.Add(Key(ConsoleKey.UpArrow)); // stays on the oldest
        keys.Add(Key(ConsoleKey.DownArrow)); // second;
        keys.Add(Key(ConsoleKey.DownArrow)); // back to the draft
        keys.AddRange(Type("!"));
        keys.Add(Key(ConsoleKey.Enter));
        keys.Add(Key(ConsoleKey.UpArrow));
        keys.Add(Key(ConsoleKey.UpArrow));
        keys.Add(Key(ConsoleKey.Enter));
        var editor = new LineEditor(Keys(keys), TextWriter.Null);

        string[] lines = [Read(editor).Line, Read(editor).Line, Read(editor).Line, Read(editor).Line];

        Assert.That(lines, Is.EqualTo(new[] { "first;", "second;", "draft!", "second;" }));
        Assert.That(editor.History, Is.EqualTo(new[] { "first;", "second;", "draft!", "second;" }), "a recalled line run again is the newest entry");
    }

    [Test]
    public void Ctrl_C_drops_the_line_and_Ctrl_D_ends_only_on_an_empty_line()
    {
        var keys = new List<ConsoleKeyInfo>();
        keys.AddRange(Type("half a statement"));
        keys.Add(Control(ConsoleKey.C));
        keys.AddRange(Type("ab"));
        keys.Add(Key(ConsoleKey.Home));
        keys.Add(Control(ConsoleKey.D)); // deletes 'a'
        keys.Add(Key(ConsoleKey.Enter));
        keys.Add(Control(ConsoleKey.D));
        var echo = new StringWriter();
        var editor = new LineEditor(Keys(keys), echo);

        var reads = new[] { Read(editor), Read(editor), Read(editor) }.Select(r => (r.Event, r.Line));

        Assert.That(reads, Is.EqualTo(new[] { (LineEvent.Cancelled, string.Empty), (LineEvent.Line, "b"), (LineEvent.EndOfInput, string.Empty) }));
        Assert.That(editor.History, Is.EqualTo(new[] { "b" }));
        Assert.That(echo.ToString(), Does.StartWith("> \r> h").And.Contain("^C\n"));
    }

    private static (LineEvent Event, string Line, LineEditor Editor) Read(LineEditor editor) => (editor.ReadLine("> ", out string line), line, editor);

    /// <summary>Hands out the keys in order; running past the end is a test failure, not a hang.</summary>
    private static Func<ConsoleKeyInfo> Keys(List<ConsoleKeyInfo> keys)
    {
        int next = 0;
        return () => next < keys.Count ? keys[next++] : throw new AssertionException("the editor asked for more keys than the test gave");
    }

    private static IEnumerable<ConsoleKeyInfo> Type(string text) => text.Select(c => new ConsoleKeyInfo(c, ConsoleKey.A, false, false, false));

    private static ConsoleKeyInfo Key(ConsoleKey key) => new('\0', key, false, false, false);

    private static ConsoleKeyInfo Control(ConsoleKey key) => new('\0', key, false, false, control: true);
}
