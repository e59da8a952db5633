namespace LedgerCore.StateMachine.Storage;

/// <summary>What a linked chain changed, newest last, so a broken chain can be rolled back exactly.</summary>
internal enum UndoKind : byte
{
    AccountInserted,
    AccountUpdated,
    TransferInserted,
    TransferStateChanged,
}

/// <summary>One reversible change. <see cref="OldAccount"/> is set for <see cref="UndoKind.AccountUpdated"/> only.</summary>
internal struct UndoEntry
{
    public UndoKind Kind;
    public TransferState OldState;
    public long Index;
    public Account OldAccount;
}

/// <summary>
/// The changes made since a linked chain opened. Recording happens only inside a chain, so
/// unlinked events (the common case) pay nothing. The buffer is reused across batches.
/// </summary>
internal sealed class UndoLog
{
    private UndoEntry[] _entries = new UndoEntry[64];
    private int _count;

    public bool Recording { get; private set; }

    public int Count => _count;

    public ref UndoEntry this[int index] => ref _entries[index];

    public void Open()
    {
        Recording = true;
        _count = 0;
    }

    public void Close()
    {
        Recording = false;
        _count = 0;
    }

    public ref UndoEntry Push(UndoKind kind, long index)
    {
        if (_count == _entries.Length)
        {
            Array.Resize(ref _entries, _entries.Length * 2);
        }

        ref UndoEntry entry = ref _entries[_count++];
        entry.Kind = kind;
        entry.Index = index;
        return ref entry;
    }
}
