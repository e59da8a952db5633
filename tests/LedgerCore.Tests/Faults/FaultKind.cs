namespace LedgerCore.Tests.Faults;

/// <summary>What a <see cref="FaultyStorage"/> does at its planned fault point.</summary>
internal enum FaultKind
{
    /// <summary>No fault: the storage behaves.</summary>
    None,

    /// <summary>The Nth write throws (after a partial write of <see cref="FaultyStorage.PartialWriteBytes"/>).</summary>
    FailWrite,

    /// <summary>The Nth fsync throws; what was written since the last one stays unsynced.</summary>
    FailFlush,

    /// <summary>The machine stops at the Nth write, fsync or directory sync: the crash image is taken and every later mutation fails.</summary>
    Crash,
}
