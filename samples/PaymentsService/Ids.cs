using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace PaymentsService;

/// <summary>128-bit ids as the API spells them: decimal strings, because JSON numbers lose precision past 2^53.</summary>
internal static class Ids
{
    public const string Rule = "Must be a decimal integer from 1 to 2^128 - 2.";

    public const int KeyLengthMax = 256;

    public static bool TryParse(string? text, out UInt128 id) =>
        UInt128.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out id) && id != 0 && id != UInt128.MaxValue;

    /// <summary>
    /// The transfer id an idempotency key names: the first 128 bits of its SHA-256. The same key always
    /// gives the same id, so a retried request is the same transfer and the ledger answers <c>Exists</c>.
    /// </summary>
    public static UInt128 FromIdempotencyKey(string key)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(key), hash);
        UInt128 id = BinaryPrimitives.ReadUInt128LittleEndian(hash);
        // 0 and 2^128-1 are not valid ids; a 2^-127 chance, but the mapping must stay total.
        return id == 0 || id == UInt128.MaxValue ? 1 : id;
    }
}
