using System.Runtime.InteropServices;

namespace LedgerCore.StateMachine.Storage;

/// <summary>
/// One expiry as stored, appended in stamp order (16 bytes, only for expiries): its own timestamp and
/// the pending transfer it released. Expiries are the only change events that are not a stored
/// transfer, and their stamps are state no other part holds.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct ExpiryRecord(ulong stamp, int transferIndex)
{
    public ulong Stamp = stamp;
    public int TransferIndex = transferIndex;

    // Explicit so that the snapshot, which writes these as raw bytes, never writes undefined padding.
    public int Reserved;
}
