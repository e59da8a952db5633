using System.Runtime.InteropServices;

namespace LedgerCore.StateMachine.Storage;

/// <summary>
/// One expiry as stored, appended in stamp order (16 bytes, only for expiries): its own timestamp and
/// the pending transfer it released. Expiries are the only change events that are not a stored
/// transfer, and their stamps are state no other part holds.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
// The index was 32 bits and a zero word beside it (format 3); as 64 bits little-endian, the bytes of
// every index below 2^31 are the same, so snapshots of either layout read alike.
internal struct ExpiryRecord(ulong stamp, long transferIndex)
{
    public ulong Stamp = stamp;
    public long TransferIndex = transferIndex;
}
