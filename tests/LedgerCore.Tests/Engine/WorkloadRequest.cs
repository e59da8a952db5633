namespace LedgerCore.Tests.Engine;

/// <summary>One caller request of a generated workload, and what became of it.</summary>
internal sealed class WorkloadRequest
{
    public WorkloadRequest(Account[] accounts) => Accounts = accounts;

    public WorkloadRequest(Transfer[] transfers) => Transfers = transfers;

    public Account[]? Accounts { get; }

    public Transfer[]? Transfers { get; }

    public UInt128[] Ids => Accounts?.Select(a => a.Id).ToArray() ?? Transfers!.Select(t => t.Id).ToArray();

    /// <summary>Whether the engine was already faulted when the request was submitted.</summary>
    public bool SubmittedAfterFault { get; set; }

    /// <summary>The call completed successfully: durable and applied.</summary>
    public bool Acknowledged { get; set; }

    /// <summary>The failures it was answered with, as (index, result code).</summary>
    public (int Index, uint Result)[] Failures { get; set; } = [];

    public Exception? Error { get; set; }

    public async Task SubmitAsync(LedgerEngine engine)
    {
        SubmittedAfterFault = engine.IsFaulted;
        try
        {
            Failures = Accounts is not null
                ? (await engine.CreateAccountsAsync(Accounts).WaitAsync(Ledgers.Timeout).ConfigureAwait(false)).Select(r => (r.Index, (uint)r.Result)).ToArray()
                : (await engine.CreateTransfersAsync(Transfers).WaitAsync(Ledgers.Timeout).ConfigureAwait(false)).Select(r => (r.Index, (uint)r.Result)).ToArray();
            Acknowledged = true;
        }
        catch (Exception e) when (e is IOException or LedgerFaultedException)
        {
            Error = e;
        }
    }
}
