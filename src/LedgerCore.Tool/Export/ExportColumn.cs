namespace LedgerCore.Tool.Export;

/// <summary>One exported field: its name as docs/protocol.md spells it, and its width.</summary>
internal readonly record struct ExportColumn(string Name, ColumnType Type);
