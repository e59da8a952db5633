namespace LedgerCore.StateMachine;

/// <summary>
/// What the shared batch loop (linked chains, imported-batch rule, failure collection) needs to know
/// about one kind of event. Static members on a struct type argument: the JIT specialises the loop
/// per event kind, so there is no virtual call and no boxing on the hot path.
/// </summary>
internal interface IBatchOperation<TEvent>
{
    static abstract bool IsLinked(in TEvent e);

    static abstract bool IsImported(in TEvent e);

    /// <summary>The operation's code for "the batch is imported, this event is not".</summary>
    static abstract uint ImportedEventExpected { get; }

    /// <summary>The operation's code for "the batch is not imported, this event is".</summary>
    static abstract uint ImportedEventNotExpected { get; }

    /// <summary>Validates and applies one event; returns 0 (Ok) or the failure code.</summary>
    static abstract uint Apply(LedgerStateMachine machine, in TEvent e, ulong timestamp);

    /// <summary>
    /// Asks the CPU to start loading what event <paramref name="ahead"/> of the batch will touch, a few
    /// events before it is applied, so the cache misses of consecutive events overlap. A hint only:
    /// it changes no state and its outcome never depends on it.
    /// </summary>
    static abstract void Prefetch(LedgerStateMachine machine, ReadOnlySpan<TEvent> batch, int ahead);

    /// <summary>Called after a failure is final (after any chain rollback).</summary>
    static abstract void OnFailed(LedgerStateMachine machine, in TEvent e, uint result);
}
