using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using LedgerCore.StateMachine.Storage;

namespace LedgerCore;

public sealed partial class LedgerStateMachine
{
    /// <summary>
    /// A 128-bit digest (XxHash128) of the whole ledger state: every account, every transfer with its
    /// two-phase state, every history balance, every expiry (its own timestamp, see <see cref="GetChangeEvents"/>) and every reserved
    /// (failed) transfer id, in storage order. Two machines fed the same batches agree; any difference in any of these changes it.
    /// The commit timestamp is not part of it: it is a clock, not ledger state.
    /// </summary>
    public UInt128 ComputeDigest()
    {
        var hash = new XxHash128();
        Span<byte> scratch = stackalloc byte[sizeof(long) * 2];

        AppendCount(hash, scratch, _accounts.Count);
        for (long i = 0; i < _accounts.Count; i++)
        {
            hash.Append(MemoryMarshal.AsBytes(new ReadOnlySpan<Account>(in _accounts[i])));
            ref AccountLog log = ref _accountLogs[i];
            AppendCount(hash, scratch, log.BalanceCount);
            for (int k = 0; k < log.BalanceCount; k++)
            {
                ref AccountBalance b = ref log.Balances![k];
                AppendUInt128(hash, scratch, b.DebitsPending);
                AppendUInt128(hash, scratch, b.DebitsPosted);
                AppendUInt128(hash, scratch, b.CreditsPending);
                AppendUInt128(hash, scratch, b.CreditsPosted);
                AppendCount(hash, scratch, (long)b.Timestamp);
            }
        }

        AppendCount(hash, scratch, _transfers.Count - _firstTransfer);
        for (long i = _firstTransfer; i < _transfers.Count; i++)
        {
            _transfers.ScanAhead(i);
            hash.Append(MemoryMarshal.AsBytes(new ReadOnlySpan<Transfer>(in _transfers[i])));
            hash.Append([(byte)_transferStates[i]]);
        }

        // The expiries: their stamps are history no other part holds. (The balances change events carry
        // are derived from the rest, so the checkpoints they are computed from are not hashed.)
        AppendCount(hash, scratch, _expired.Count);
        for (long i = 0; i < _expired.Count; i++)
        {
            AppendCount(hash, scratch, (long)_expired[i].Stamp);
            AppendCount(hash, scratch, _expired[i].TransferIndex - _firstTransfer);
        }

        AppendCount(hash, scratch, _orphanedOrder.Count);
        foreach (UInt128 id in _orphanedOrder)
        {
            AppendUInt128(hash, scratch, id);
        }

        return hash.GetCurrentHashAsUInt128();
    }

    private static void AppendCount(XxHash128 hash, Span<byte> scratch, long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(scratch, value);
        hash.Append(scratch[..sizeof(long)]);
    }

    private static void AppendUInt128(XxHash128 hash, Span<byte> scratch, UInt128 value)
    {
        BinaryPrimitives.WriteUInt128LittleEndian(scratch, value);
        hash.Append(scratch);
    }
}
