namespace LedgerCore.Tool.Export;

/// <summary>
/// The width of an exported field. Text formats write every width the same way; Parquet gives each its
/// own physical type: 128-bit values as decimal strings (no Parquet integer holds them, and DECIMAL(38)
/// stops one digit short of <see cref="UInt128.MaxValue"/>), the others as unsigned integers of their size.
/// </summary>
internal enum ColumnType
{
    UInt128,
    UInt64,
    UInt32,
    UInt16,
}
