namespace LedgerCore.Tool.Repl;

/// <summary>Splits one statement's text (without its <c>;</c>) into tokens, keeping each token's line and column.</summary>
internal static class Tokenizer
{
    /// <summary>The tokens of <paramref name="text"/>, which starts at <paramref name="line"/> and <paramref name="column"/> of the input; the last is <see cref="TokenKind.End"/>.</summary>
    /// <exception cref="ReplSyntaxException">A character that is not part of the syntax (only letters, digits, <c>_ - . + = , |</c> and white space are).</exception>
    public static List<Token> Tokenize(string text, int line, int column)
    {
        var tokens = new List<Token>();
        int i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            if (c == '\n')
            {
                line++;
                column = 1;
                i++;
                continue;
            }

            if (char.IsWhiteSpace(c))
            {
                column++;
                i++;
                continue;
            }

            if (IsWordChar(c))
            {
                int start = i;
                while (i < text.Length && IsWordChar(text[i])) i++;
                tokens.Add(new Token(TokenKind.Word, text[start..i], line, column));
                column += i - start;
                continue;
            }

            TokenKind kind = c switch
            {
                '=' => TokenKind.Equals,
                ',' => TokenKind.Comma,
                '|' => TokenKind.Pipe,
                _ => throw new ReplSyntaxException(line, column, $"unexpected character '{c}' (a statement is: operation field=value ..., field=value ...;)"),
            };
            tokens.Add(new Token(kind, c.ToString(), line, column));
            column++;
            i++;
        }

        tokens.Add(new Token(TokenKind.End, ";", line, column));
        return tokens;
    }

    // '.' and '+' belong to no valid word, but reading "1.5" or "+1" whole lets the value's error name the field.
    private static bool IsWordChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or '+';
}
