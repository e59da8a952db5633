using LedgerCore.Journal;
using LedgerCore.Storage;

namespace LedgerCore.Tool;

/// <summary>
/// Recovers a data directory's state as the engine would (the newest snapshot that verifies, then the
/// journal after it, through the core's own reader and replay) over <see cref="ReadOnlyStorage"/>: a
/// torn tail is left out, not cut.
/// </summary>
internal static class ReadOnlyRecovery
{
    /// <summary>The recovered state of <paramref name="directory"/> (which must hold ledger.meta) and where it stands.</summary>
    /// <exception cref="LedgerCorruptedException">Recovery would refuse the directory.</exception>
    public static (UInt128 LedgerId, ulong Epoch, LedgerStateMachine Machine, long Sequence, ulong HighestFencingToken) Recover(string directory)
    {
        var storage = new ReadOnlyStorage(directory);
        (UInt128 ledgerId, ulong epoch) = DataDirectory.Read(storage) ?? throw new LedgerCorruptedException(DataDirectory.MetadataName, 0, "metadata is missing");
        (LedgerStateMachine machine, long snapshot, ulong token) = LedgerEngine.LoadNewestSnapshot(storage, ledgerId, new LedgerOptions { DataDirectory = directory });
        var replay = new JournalReplay(machine, token);
        JournalScan scan = JournalReader.Read(storage, ledgerId, snapshot, long.MaxValue, repairTail: false, replay.Apply);
        return (ledgerId, epoch, machine, scan.LastSequence, replay.HighestFencingToken);
    }
}
