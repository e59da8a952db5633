using LedgerCore.Storage;

namespace LedgerCore.Tool;

/// <summary>
/// The data directory opened for reading only: every file through <see cref="IStorage.OpenRead"/> (a
/// read-only handle that shares writing with a running engine), and every change refused. The core's
/// readers run on it, so the tool cannot repair, cut or delete anything even by mistake.
/// </summary>
internal sealed class ReadOnlyStorage(string directory) : IStorage
{
    private readonly FileStorage _files = new(directory);

    public IReadOnlyList<string> List() => _files.List();

    public bool Exists(string name) => _files.Exists(name);

    public IStorageFile Open(string name, bool create) =>
        create ? throw new InvalidOperationException($"The tool does not create '{name}': it only reads.") : _files.OpenRead(name);

    public IStorageFile OpenRead(string name) => _files.OpenRead(name);

    public void Delete(string name) => throw new InvalidOperationException($"The tool does not delete '{name}': it only reads.");

    public void Rename(string from, string to) => throw new InvalidOperationException($"The tool does not rename '{from}': it only reads.");

    public void SyncDirectory() => throw new InvalidOperationException("The tool does not change the directory: it only reads.");
}
