namespace LedgerCore.Tool.Export;

/// <summary>
/// Writes rows one at a time to a stream (nothing is held beyond the current row and an I/O buffer):
/// <see cref="Begin"/> once with the column names, then per row <see cref="BeginRow"/>, one
/// <c>Field</c> per column in order, <see cref="EndRow"/>; <see cref="Finish"/> flushes. Disposing leaves the stream open (its owner closes it).
/// </summary>
internal abstract class RowWriter : IDisposable
{
    public abstract void Begin(ExportColumn[] columns);

    public abstract void BeginRow();

    /// <summary>A 128-bit value, written as a decimal string (no format carries it as a number safely).</summary>
    public abstract void Field(UInt128 value);

    /// <summary>An integer of at most 64 bits (u64, u32, u16 and flags), written as a number.</summary>
    public abstract void Field(ulong value);

    public abstract void EndRow();

    public abstract void Finish();

    public abstract void Dispose();
}
