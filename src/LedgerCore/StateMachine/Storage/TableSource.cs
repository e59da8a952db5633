using System.Runtime.InteropServices;

namespace LedgerCore.StateMachine.Storage;

/// <summary>
/// Where an <see cref="IdIndex{TSource}"/> gets its tables: zeroed blocks that stay at one address
/// until freed, each numbered by a generation (rising; a growth takes the next). In process memory
/// (<see cref="InMemory"/>), or also copied to files a checkpoint names and reopened from them
/// (<see cref="MappedTableSource"/>).
/// </summary>
internal abstract unsafe class TableSource : IDisposable
{
    /// <summary>Tables of process memory: nothing to keep, flush or reopen.</summary>
    public static TableSource InMemory { get; } = new NativeTables();

    /// <summary>Whether the index's finalizer may free its tables here (true for process memory; files are released with their source).</summary>
    public virtual bool FreedByFinalizer => false;

    /// <summary>A zeroed table of <paramref name="bytes"/>, and the generation that names it.</summary>
    /// <exception cref="IOException">A file-backed table could not be created (disk full, I/O error).</exception>
    public abstract byte* Allocate(long bytes, out int generation);

    /// <summary>Returns a table no longer used (not before a checkpoint copying it is done, see <see cref="MappedTableSource"/>).</summary>
    public abstract void Free(byte* table);

    /// <summary>The table of generation <paramref name="generation"/> as a checkpoint left it.</summary>
    /// <exception cref="LedgerCorruptedException">There is no such table, or it is short.</exception>
    public virtual byte* Open(int generation, long bytes) =>
        throw new LedgerCorruptedException($"Ledger data is corrupted: id-index table {generation} is named by a checkpoint, but tables are not kept in files here.");

    public void Dispose()
    {
        Release();
        GC.SuppressFinalize(this);
    }

    /// <summary>Unmaps what is mapped (file-backed tables); process memory is the indexes' own to free.</summary>
    protected virtual void Release()
    {
    }

    private sealed class NativeTables : TableSource
    {
        public override bool FreedByFinalizer => true;

        public override byte* Allocate(long bytes, out int generation)
        {
            generation = 0;
            return (byte*)NativeMemory.AllocZeroed((nuint)bytes);
        }

        public override void Free(byte* table) => NativeMemory.Free(table);
    }
}
