using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace LedgerCore.StateMachine.Storage;

/// <summary>
/// Maps a 128-bit id to the index of the record that holds it, in O(1). Why not
/// <c>Dictionary&lt;UInt128,int&gt;</c>: a dictionary entry holding a 16-byte-aligned key takes 48
/// bytes; here a slot is one <c>int</c> (the index plus one, 0 = empty) and the key is read back
/// from the record itself, so the index costs about 6 bytes per record at the load factor below.
/// Linear probing with Fibonacci hashing; removal (rollback of a linked chain) shifts back.
/// </summary>
internal sealed class IdIndex<TSource> where TSource : struct, IIdSource
{
    private const int MinCapacity = 1024;

    // Grow at 3/4 full: probes stay short and the table stays small.
    private const int LoadNumerator = 3;
    private const int LoadDenominator = 4;

    private readonly TSource _source;
    private int[] _slots;
    private int _shift;
    private int _count;

    public IdIndex(TSource source, int capacity = MinCapacity)
    {
        _source = source;
        int size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(MinCapacity, capacity * LoadDenominator / LoadNumerator + 1));
        _slots = new int[size];
        _shift = 64 - BitOperations.Log2((uint)size);
    }

    public int Count => _count;

    /// <summary>The index of the record with <paramref name="id"/>, or -1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Find(UInt128 id)
    {
        int[] slots = _slots;
        int mask = slots.Length - 1;
        int slot = Home(id, _shift);
        while (true)
        {
            int value = slots[slot];
            if (value == 0)
            {
                return -1;
            }

            if (_source.IdAt(value - 1) == id)
            {
                return value - 1;
            }

            slot = (slot + 1) & mask;
        }
    }

    /// <summary>Adds <paramref name="index"/>, whose record holds an id not yet indexed.</summary>
    public void Add(int index)
    {
        Debug.Assert(Find(_source.IdAt(index)) == -1);
        if ((_count + 1) * LoadDenominator > _slots.Length * LoadNumerator)
        {
            Grow();
        }

        Insert(_slots, _shift, _source.IdAt(index), index);
        _count++;
    }

    /// <summary>Removes the entry of <paramref name="id"/>, which must be present.</summary>
    public void Remove(UInt128 id)
    {
        int[] slots = _slots;
        int mask = slots.Length - 1;
        int slot = Home(id, _shift);
        while (_source.IdAt(slots[slot] - 1) != id)
        {
            Debug.Assert(slots[slot] != 0);
            slot = (slot + 1) & mask;
        }

        // Backward-shift deletion: move later members of the probe run into the hole so that
        // every remaining entry stays reachable from its home slot without tombstones.
        int hole = slot;
        int next = (hole + 1) & mask;
        while (slots[next] != 0)
        {
            int home = Home(_source.IdAt(slots[next] - 1), _shift);
            bool movable = ((next - home) & mask) >= ((next - hole) & mask);
            if (movable)
            {
                slots[hole] = slots[next];
                hole = next;
            }

            next = (next + 1) & mask;
        }

        slots[hole] = 0;
        _count--;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Home(UInt128 id, int shift)
    {
        // Fold both halves, then Fibonacci-hash: sequential ids spread over the whole table.
        ulong lower = unchecked((ulong)id); // the low half: truncation is the point (checked, ids >= 2^64 threw)
        ulong upper = (ulong)(id >> 64);
        ulong mixed = unchecked((lower ^ (upper * 0xC2B2AE3D27D4EB4FUL)) * 0x9E3779B97F4A7C15UL);
        return (int)(mixed >> shift);
    }

    private static void Insert(int[] slots, int shift, UInt128 id, int index)
    {
        int mask = slots.Length - 1;
        int slot = Home(id, shift);
        while (slots[slot] != 0)
        {
            slot = (slot + 1) & mask;
        }

        slots[slot] = index + 1;
    }

    private void Grow()
    {
        var slots = new int[_slots.Length * 2];
        int shift = _shift - 1;
        foreach (int value in _slots)
        {
            if (value != 0)
            {
                Insert(slots, shift, _source.IdAt(value - 1), value - 1);
            }
        }

        _slots = slots;
        _shift = shift;
    }
}
