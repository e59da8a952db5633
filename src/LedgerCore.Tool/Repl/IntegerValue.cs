using System.Globalization;

namespace LedgerCore.Tool.Repl;

/// <summary>
/// Reads an unsigned integer value as TigerBeetle's REPL does: decimal, or with a <c>0x</c>, <c>0b</c> or
/// <c>0o</c> prefix; and <c>-N</c> meaning the field's maximum minus N (so <c>amount=-0</c> is the
/// largest amount, the sentinel balancing transfers use).
/// </summary>
internal static class IntegerValue
{
    private const string Forms = "decimal, 0x hex, 0b binary, 0o octal, or -N for the maximum minus N";

    /// <summary>The value of <paramref name="token"/> for a field of at most <paramref name="max"/>.</summary>
    /// <exception cref="ReplSyntaxException">Not a number in one of the forms, or out of the field's range; the message names the field and column.</exception>
    public static UInt128 Parse(Token token, string field, string typeName, UInt128 max)
    {
        string text = token.Text;
        bool fromMax = text.StartsWith('-');
        string digits = fromMax ? text[1..] : text;
        bool prefixed = digits.Length > 2 && digits[0] == '0' && digits[1] is 'x' or 'X' or 'b' or 'B' or 'o' or 'O';
        int radix = !prefixed ? 10 : char.ToLowerInvariant(digits[1]) switch { 'x' => 16, 'b' => 2, _ => 8 };
        if (!TryParse(prefixed ? digits[2..] : digits, radix, out UInt128 value, out bool overflow))
        {
            throw new ReplSyntaxException(token.Line, token.Column, $"'{text}' is not a valid {typeName} for '{field}' ({Forms})");
        }

        if (overflow || value > max) throw OutOfRange(token, field, typeName, max);
        return fromMax ? max - value : value;
    }

    private static ReplSyntaxException OutOfRange(Token token, string field, string typeName, UInt128 max) =>
        new(token.Line, token.Column, $"'{token.Text}' is out of range for '{field}' (a {typeName}: at most {max.ToString(CultureInfo.InvariantCulture)})");

    // By hand rather than UInt128.TryParse: one loop for every base, and overflow told apart from a bad digit.
    private static bool TryParse(string digits, int radix, out UInt128 value, out bool overflow)
    {
        value = 0;
        overflow = false;
        if (digits.Length == 0) return false;
        foreach (char c in digits)
        {
            int digit = char.IsAsciiDigit(c) ? c - '0' : char.IsAsciiLetter(c) ? char.ToLowerInvariant(c) - 'a' + 10 : int.MaxValue;
            if (digit >= radix) return false;
            if (overflow) continue; // keep checking the digits: a bad digit is reported before overflow
            if (value > (UInt128.MaxValue - (uint)digit) / (uint)radix)
            {
                overflow = true;
                continue;
            }

            value = (value * (uint)radix) + (uint)digit;
        }

        return true;
    }
}
