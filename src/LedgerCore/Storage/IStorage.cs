namespace LedgerCore.Storage;

/// <summary>
/// The data directory as the journal and snapshots see it: a flat set of named files. The seam
/// between the ledger and the disk, so tests can inject faults (failed writes and fsyncs, torn
/// writes, flipped bits, lost unsynced data) without forking any logic. The real implementation is
/// <see cref="FileStorage"/>.
/// </summary>
internal interface IStorage
{
    /// <summary>Names of the files in the directory, in ordinal order.</summary>
    IReadOnlyList<string> List();

    bool Exists(string name);

    /// <summary>Opens a file for reading and writing, creating it empty when <paramref name="create"/> is set.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist and <paramref name="create"/> is not set.</exception>
    IStorageFile Open(string name, bool create);

    /// <summary>Opens an existing file for reading only, while a writer may still append to it.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    IStorageFile OpenRead(string name);

    void Delete(string name);

    /// <summary>Atomically replaces <paramref name="to"/> with <paramref name="from"/> (rename(2)).</summary>
    void Rename(string from, string to);

    /// <summary>Makes creations, renames and deletions durable (fsync of the directory).</summary>
    void SyncDirectory();
}
