using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace LedgerCore.StateMachine.Storage;

/// <summary>
/// Maps a 128-bit id to the index of the record that holds it, in O(1). Why not
/// <c>Dictionary&lt;UInt128,int&gt;</c>: a dictionary entry holding a 16-byte-aligned key takes 48
/// bytes; here a slot is one <c>ulong</c>: the record index plus one (0 = empty) in the low half and
/// the top 32 bits of the id's hash in the high half. The key itself is read back from the record,
/// but only when the stored hash bits match, so a probe past a foreign entry costs no cache miss in
/// the (large) record array, and growing rehashes from the slots alone without touching records.
/// Linear probing with Fibonacci hashing; removal (rollback of a linked chain) shifts back.
/// </summary>
internal sealed class IdIndex<TSource> where TSource : struct, IIdSource
{
    private const int MinCapacity = 1024;

    // Grow at 3/4 full: with the hash bits in the slot, probe runs stay within a cache line or two.
    private const int LoadNumerator = 3;
    private const int LoadDenominator = 4;

    private const ulong HashMask = 0xFFFF_FFFF_0000_0000UL;

    private readonly TSource _source;
    private ulong[] _slots;
    private int _shift;
    private int _count;

    public IdIndex(TSource source, int capacity = MinCapacity)
    {
        _source = source;
        _slots = new ulong[SizeFor(capacity)];
        _shift = 64 - BitOperations.Log2((uint)_slots.Length);
    }

    public int Count => _count;

    /// <summary>The index of the record with <paramref name="id"/>, or -1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Find(UInt128 id)
    {
        ulong[] slots = _slots;
        int mask = slots.Length - 1;
        ulong hash = Hash(id);
        ulong tag = hash & HashMask;
        int slot = (int)(hash >> _shift);
        while (true)
        {
            ulong value = slots[slot];
            if (value == 0)
            {
                return -1;
            }

            if ((value & HashMask) == tag)
            {
                int index = IndexOf(value);
                if (_source.IdAt(index) == id) return index;
            }

            slot = (slot + 1) & mask;
        }
    }

    /// <summary>Prefetches the home slot of <paramref name="id"/> (a hint; see <see cref="Prefetcher"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Prefetch(UInt128 id) => Prefetcher.Line(ref _slots[(int)(Hash(id) >> _shift)]);

    /// <summary>
    /// The index of the first entry whose stored hash bits match <paramref name="id"/>'s, without
    /// reading any record: usually the record's index, never verified. For prefetching only.
    /// </summary>
    public int Guess(UInt128 id)
    {
        ulong[] slots = _slots;
        int mask = slots.Length - 1;
        ulong hash = Hash(id);
        ulong tag = hash & HashMask;
        int slot = (int)(hash >> _shift);
        for (int probe = 0; probe < 8; probe++)
        {
            ulong value = slots[slot];
            if (value == 0) return -1;
            if ((value & HashMask) == tag) return IndexOf(value);
            slot = (slot + 1) & mask;
        }

        return -1;
    }

    /// <summary>Makes room for <paramref name="capacity"/> entries in total, so bulk loads do not rehash repeatedly.</summary>
    public void EnsureCapacity(int capacity)
    {
        int size = SizeFor(capacity);
        if (size > _slots.Length) Resize(size);
    }

    /// <summary>Adds <paramref name="index"/>, whose record holds an id not yet indexed.</summary>
    public void Add(int index)
    {
        Debug.Assert(Find(_source.IdAt(index)) == -1);
        if ((_count + 1) * (long)LoadDenominator > _slots.Length * (long)LoadNumerator)
        {
            Resize(_slots.Length * 2);
        }

        Insert(_slots, _shift, Hash(_source.IdAt(index)) & HashMask, index);
        _count++;
    }

    /// <summary>Removes the entry of <paramref name="id"/>, which must be present.</summary>
    public void Remove(UInt128 id)
    {
        ulong[] slots = _slots;
        int mask = slots.Length - 1;
        int slot = (int)(Hash(id) >> _shift);
        while (_source.IdAt(IndexOf(slots[slot])) != id)
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
            int home = (int)((slots[next] & HashMask) >> _shift);
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
    private static ulong Hash(UInt128 id)
    {
        // Fold both halves, then Fibonacci-hash: sequential ids spread over the whole table. The top
        // bits choose the home slot (tables stay below 2^32 slots, so the stored 32 bits suffice to
        // find it again when growing).
        ulong lower = unchecked((ulong)id); // the low half: truncation intended (checked arithmetic is on)
        ulong upper = (ulong)(id >> 64);
        return unchecked((lower ^ (upper * 0xC2B2AE3D27D4EB4FUL)) * 0x9E3779B97F4A7C15UL);
    }

    // The low half of a slot: the record index plus one.
    private static int IndexOf(ulong slot) => (int)unchecked((uint)slot) - 1;

    private static int SizeFor(int capacity) =>
        (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(MinCapacity, (capacity * (long)LoadDenominator / LoadNumerator) + 1));

    private static void Insert(ulong[] slots, int shift, ulong tag, int index)
    {
        int mask = slots.Length - 1;
        int slot = (int)(tag >> shift);
        while (slots[slot] != 0)
        {
            slot = (slot + 1) & mask;
        }

        slots[slot] = tag | (uint)(index + 1);
    }

    private void Resize(int size)
    {
        var slots = new ulong[size];
        int shift = 64 - BitOperations.Log2((uint)size);
        foreach (ulong value in _slots)
        {
            if (value != 0)
            {
                Insert(slots, shift, value & HashMask, IndexOf(value));
            }
        }

        _slots = slots;
        _shift = shift;
    }
}
