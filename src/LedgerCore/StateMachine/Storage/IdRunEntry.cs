using System.Runtime.InteropServices;

namespace LedgerCore.StateMachine.Storage;

/// <summary>One entry of an id run: the id's hash (<see cref="IdIndex{TSource}.Hash"/>) and the index of the record holding it.</summary>
[StructLayout(LayoutKind.Sequential)]
internal readonly struct IdRunEntry(ulong key, long index) : IComparable<IdRunEntry>
{
    public readonly ulong Key = key;
    public readonly long Index = index;

    public int CompareTo(IdRunEntry other)
    {
        int byKey = Key.CompareTo(other.Key);
        return byKey != 0 ? byKey : Index.CompareTo(other.Index);
    }
}
