using HdrHistogram;

namespace LedgerCore.Load;

/// <summary>What one timed run of the clients measured: commit latency per batch (ns), batches, failed transfers, wall time.</summary>
internal readonly record struct ClientRunResult(LongHistogram Latency, long Batches, long Failed, TimeSpan Elapsed);
