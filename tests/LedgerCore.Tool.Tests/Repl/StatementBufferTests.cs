using LedgerCore.Tool.Repl;
using NUnit.Framework;

namespace LedgerCore.Tool.Tests.Repl;

/// <summary>How input is cut into statements: at each ';', across lines, with each statement's place kept.</summary>
public sealed class StatementBufferTests
{
    [Test]
    public void Statements_are_cut_at_semicolons_across_lines_with_their_places()
    {
        var buffer = new StatementBuffer();
        buffer.Append("lookup_accounts id=1; lookup_accounts\n");
        var taken = new List<(string, int, int)>();
        while (buffer.TryTake(out string text, out int line, out int column)) taken.Add((text, line, column));
        Assert.That(taken, Is.EqualTo(new[] { ("lookup_accounts id=1", 1, 1) }));
        Assert.That(buffer.IsBlank, Is.False);

        buffer.Append("  id=2;\n");
        Assert.That(buffer.TryTake(out string second, out int secondLine, out int secondColumn), Is.True);
        Assert.That((second, secondLine, secondColumn), Is.EqualTo((" lookup_accounts\n  id=2", 1, 22)));
        Assert.That(buffer.TryTake(out _, out _, out _), Is.False);
        Assert.That(buffer.IsBlank, Is.True);
    }

    [Test]
    public void Input_ending_inside_a_statement_is_a_missing_semicolon_after_its_last_character()
    {
        var buffer = new StatementBuffer();
        buffer.Append("help;\ncreate_accounts id=1\n  ledger=700   \n\n");
        Assert.That(buffer.TryTake(out _, out _, out _), Is.True);

        Assert.That(buffer.MissingSemicolon().Message, Is.EqualTo("line 3, column 13: missing ';' at the end of the statement"));
    }

    [Test]
    public void Clear_drops_the_open_statement_and_counts_lines_from_one()
    {
        var buffer = new StatementBuffer();
        buffer.Append("a\nb\ncreate_accounts id=");
        buffer.Clear();
        buffer.Append("help;");

        Assert.That(buffer.TryTake(out string text, out int line, out int column), Is.True);
        Assert.That((text, line, column), Is.EqualTo(("help", 1, 1)));
    }
}
