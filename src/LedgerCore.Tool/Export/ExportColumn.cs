using LedgerCore.Tool.Repl;

namespace LedgerCore.Tool.Export;

/// <summary>
/// One exported field: its name as docs/protocol.md spells it, and its width. Text formats write every
/// width the same way; Parquet gives each its own type: 128-bit values as decimal strings (no Parquet
/// integer holds them, and DECIMAL(38) stops one digit short of <see cref="UInt128.MaxValue"/>), the
/// others as unsigned integers of their size.
/// </summary>
internal readonly record struct ExportColumn(string Name, FieldKind Type);
