using System.Diagnostics;
using LedgerCore.Journal;
using LedgerCore.StateMachine.Storage;
using LedgerCore.Storage;

namespace LedgerCore.Backup;

/// <summary>
/// Writes a backup directory from a frozen image: the one code path behind
/// <see cref="LedgerEngine.BackupAsync"/> and <c>ledgercore backup</c>. Layout and order (docs/backup.md):
/// an "in progress" manifest first, then the snapshot at the backup's sequence, read back into a fresh
/// state machine (which verifies it and gives the digest), then <c>ledger.meta</c>, then the complete
/// manifest renamed over the first. Every file and the directory are fsynced.
/// </summary>
internal sealed class BackupWriter
{
    private readonly FileStorage _storage;
    private readonly bool _created;
    private readonly long _started;

    private BackupWriter(FileStorage storage, bool created, long started)
    {
        _storage = storage;
        _created = created;
        _started = started;
    }

    /// <summary>
    /// Creates <paramref name="destination"/> (or takes it when it exists and is empty) and marks it as
    /// a backup in progress, durably, before anything else is written into it.
    /// </summary>
    /// <exception cref="IOException">The destination is a file, is not empty, or cannot be written.</exception>
    public static BackupWriter Begin(string destination)
    {
        long started = Stopwatch.GetTimestamp();
        string full = Path.GetFullPath(destination);
        if (File.Exists(full)) throw new IOException($"The backup destination '{full}' is a file; it must be an empty directory or not exist.");
        bool created = !Directory.Exists(full);
        if (!created && Directory.EnumerateFileSystemEntries(full).Any())
        {
            throw new IOException($"The backup destination '{full}' is not empty; it must be an empty directory or not exist.");
        }

        var storage = new FileStorage(full);
        var writer = new BackupWriter(storage, created, started);
        try
        {
            BackupManifest.InProgress.Write(storage, BackupManifest.Name);
            storage.SyncDirectory();
            if (created && Path.GetDirectoryName(full) is { } parent) new FileStorage(parent).SyncDirectory();
        }
        catch
        {
            writer.Abandon();
            throw;
        }

        return writer;
    }

    /// <summary>
    /// Writes the backup of the state <paramref name="image"/> froze after batch <paramref name="sequence"/>;
    /// on any failure or cancellation removes what it wrote (the "in progress" manifest last) and rethrows.
    /// Holds a second, restored state machine while it computes the digest (transiently, about the
    /// ledger's own memory).
    /// </summary>
    public LedgerBackup Write(UInt128 ledgerId, ulong epoch, long sequence, ulong highestFencingToken, SnapshotImage image, CancellationToken cancellationToken)
    {
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            string snapshot = SnapshotFile.Name(sequence);
            SnapshotFile.Write(_storage, ledgerId, sequence, highestFencingToken, image, cancellationToken);
            cancellationToken.ThrowIfCancellationRequested();
            (UInt128 digest, ulong commitTimestamp) = ReadBack(snapshot, ledgerId);
            cancellationToken.ThrowIfCancellationRequested();
            DataDirectory.Write(_storage, ledgerId, epoch);
            BackupFile[] files = [BackupManifest.Describe(_storage, snapshot), BackupManifest.Describe(_storage, DataDirectory.MetadataName)];
            var manifest = new BackupManifest(true, ledgerId, sequence, commitTimestamp, digest, files);
            long bytes = manifest.Write(_storage, BackupManifest.TemporaryName);
            foreach (BackupFile f in files) bytes += f.Length;
            cancellationToken.ThrowIfCancellationRequested();
            _storage.Rename(BackupManifest.TemporaryName, BackupManifest.Name);
            _storage.SyncDirectory();
            return new LedgerBackup(_storage.DirectoryPath, sequence, commitTimestamp, digest, bytes, Stopwatch.GetElapsedTime(_started));
        }
        catch
        {
            Abandon();
            throw;
        }
    }

    /// <summary>Removes what the backup wrote, the "in progress" manifest last (best effort: it runs on a failure path).</summary>
    public void Abandon()
    {
        try
        {
            foreach (string name in _storage.List())
            {
                if (name != BackupManifest.Name && name != DataDirectory.LockName) _storage.Delete(name);
            }

            _storage.SyncDirectory();
            if (_storage.Exists(BackupManifest.Name)) _storage.Delete(BackupManifest.Name);
            _storage.SyncDirectory();
            if (_created) Directory.Delete(_storage.DirectoryPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // What is left still carries the "in progress" manifest, which opening refuses.
        }
    }

    /// <summary>The written snapshot, restored as recovery would restore it: its digest and commit timestamp.</summary>
    private (UInt128 Digest, ulong CommitTimestamp) ReadBack(string snapshot, UInt128 ledgerId)
    {
        (LedgerStateMachine machine, long _, ulong _) = SnapshotFile.Read(_storage, snapshot, ledgerId);
        return (machine.ComputeDigest(), machine.CommitTimestamp);
    }
}
