using System.Text;

namespace LedgerCore.Tool.Repl;

/// <summary>Turns the core's PascalCase enum names into TigerBeetle's snake_case ones.</summary>
internal static class SnakeCase
{
    /// <summary>
    /// <c>DebitsMustNotExceedCredits</c> becomes <c>debits_must_not_exceed_credits</c>, and a digit run
    /// after a letter starts a word of its own (<c>ExistsWithDifferentUserData128</c> becomes
    /// <c>exists_with_different_user_data_128</c>), as TigerBeetle spells its result codes.
    /// </summary>
    public static string From(string pascal)
    {
        var builder = new StringBuilder(pascal.Length + 8);
        for (int i = 0; i < pascal.Length; i++)
        {
            char c = pascal[i];
            bool wordStart = i > 0 && (char.IsUpper(c) || (char.IsDigit(c) && !char.IsDigit(pascal[i - 1])));
            if (wordStart) builder.Append('_');
            builder.Append(char.ToLowerInvariant(c));
        }

        return builder.ToString();
    }

    /// <summary>The snake_case name of an enum value, or its number when it has no name.</summary>
    public static string Of<TEnum>(TEnum value)
        where TEnum : struct, Enum =>
        Enum.IsDefined(value) ? From(value.ToString()) : Convert.ToUInt64(value, System.Globalization.CultureInfo.InvariantCulture).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
