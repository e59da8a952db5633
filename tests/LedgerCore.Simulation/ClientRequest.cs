using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace LedgerCore.Simulation;

/// <summary>One client request of a simulated workload and what the client was told about it.</summary>
internal sealed class ClientRequest
{
    public ClientRequest(int number, Account[] accounts)
    {
        Number = number;
        Accounts = accounts;
        ContentKey = XxHash128.HashToUInt128(MemoryMarshal.AsBytes(accounts.AsSpan()));
    }

    public ClientRequest(int number, Transfer[] transfers)
    {
        Number = number;
        Transfers = transfers;
        ContentKey = XxHash128.HashToUInt128(MemoryMarshal.AsBytes(transfers.AsSpan()));
    }

    /// <summary>The request's place in the workload, from 1 (a retry keeps it).</summary>
    public int Number { get; }

    public Account[]? Accounts { get; }

    public Transfer[]? Transfers { get; }

    public LedgerOperation Operation => Accounts is not null ? LedgerOperation.CreateAccounts : LedgerOperation.CreateTransfers;

    public int Count => Accounts?.Length ?? Transfers!.Length;

    /// <summary>A hash of the events' bytes: how a committed batch is matched to the request that holds exactly its events.</summary>
    public UInt128 ContentKey { get; }

    /// <summary>Whether some attempt was acknowledged (durable and applied).</summary>
    public bool Acknowledged { get; set; }

    /// <summary>How many times the client sent it (retries after a failure reuse the same ids).</summary>
    public int Attempts { get; set; }

    /// <summary>Hash of a committed batch's events, comparable with <see cref="ContentKey"/>.</summary>
    public static UInt128 KeyOf(CommittedBatch batch) => batch.Operation == LedgerOperation.CreateAccounts
        ? XxHash128.HashToUInt128(MemoryMarshal.AsBytes(batch.Accounts.Span))
        : XxHash128.HashToUInt128(MemoryMarshal.AsBytes(batch.Transfers.Span));
}
