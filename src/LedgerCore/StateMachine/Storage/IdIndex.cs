using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LedgerCore.StateMachine.Storage;

/// <summary>
/// Maps a 128-bit id to the index of the record that holds it, in O(1). Why not
/// <c>Dictionary&lt;UInt128,int&gt;</c>: a dictionary entry holding a 16-byte-aligned key takes 48
/// bytes; here a slot is one <c>ulong</c>: the low 32 bits of the record index in the low half, and
/// the top 31 bits of the id's hash with a 1 below them in the high half (so no entry is 0, empty).
/// Past 2^32 records, an entry stands for every index with its low bits (the record is read to tell
/// which; a table holds at most 2^31 slots anyway, so the candidates are few).
/// Where records are expensive to read (transfers in files), beside each slot, in an array after the
/// slots, 16 more bits of the hash taken from its middle (the prints):
/// the stored tag's top bits are the home slot's, so in a table of 2^28 slots an entry met on a probe
/// run (whose home is close) shares all but a few of them, and random ids then matched a foreign tag
/// on about a third of lookups; each such match read a record, which with transfers in files was a
/// disk read. The 16 bits cut those reads 65,536-fold for 2 bytes per slot. In memory a foreign record
/// read costs what a miss on the prints would, so there are none (the 10M load run was 12-15% slower
/// with them). The key itself is read back from the record,
/// but only when the stored hash bits match, so a probe past a foreign entry costs no cache miss in
/// the (large) record array, and growing rehashes from the slots alone without touching records.
/// Linear probing with Fibonacci hashing. Removal (rollback of a linked chain, rare) leaves a marker
/// that probes pass and adds reuse, rather than shifting later entries back: an entry never moves
/// within a table.
/// </summary>
/// <remarks>
/// <para>
/// Growth never stops the processor: a full table is not rehashed at once (at 200M transfers that was
/// a 2 GiB table and a 3.2 s pause) but moved to one twice its size a few slots per
/// <see cref="Add(long)"/>. Until the move ends, an entry lives in exactly one place: in the new table, or
/// in the old one at a slot the move has not reached. Lookups try the new table, then the old one,
/// skipping the slots already moved (they stay in place, so probe runs through them are unbroken).
/// The move finishes long before the new table fills (see <see cref="SlotsMovedPerAdd"/>), and a
/// <see cref="Step"/> per batch finishes it when adds stop. Small tables grow at once.
/// </para>
/// <para>
/// The tables are native memory (zeroed pages from the OS, resident only where written), so a table
/// of gigabytes neither triggers a full garbage collection when allocated nor is limited to a managed
/// array's length; the finalizer returns them when the machine is unreachable.
/// </para>
/// </remarks>
internal sealed unsafe class IdIndex<TSource> where TSource : struct, IIdSource
{
    /// <summary>
    /// Slots of the old table moved per add while growing. The new table has 2N slots and takes
    /// 3N/4 more adds before it is full; moving N slots takes N/8 adds, a sixth of that.
    /// </summary>
    internal const int SlotsMovedPerAdd = 8;

    /// <summary>
    /// Slots of the old table moved by each <see cref="Step"/> (once per batch), so a growth also ends
    /// when adds stop coming (an account index after the accounts are loaded): 128 KiB of table.
    /// </summary>
    internal const int SlotsMovedPerStep = 16_384;

    /// <summary>Tables up to this many slots (2 MiB) grow at once: rehashing them takes about as long as a batch's apply.</summary>
    internal const long GrowAtOnceUpTo = 1 << 18;

    private const long MinCapacity = 1024;

    // Grow at 3/4 full: with the hash bits in the slot, probe runs stay within a cache line or two.
    private const int LoadNumerator = 3;
    private const int LoadDenominator = 4;

    private const ulong HashMask = 0xFFFF_FFFF_0000_0000UL;

    // Set in every entry's high half: an entry is never 0, whatever its index and hash.
    private const ulong Occupied = 1UL << 32;

    /// <summary>The largest table: homes are taken from the hash's top 31 bits (bit 32 is <see cref="Occupied"/>).</summary>
    internal const long MaxSlots = 1L << 31;

    // A removed entry: not empty (probe runs go on through it), yet never an entry (Occupied is
    // clear), so it matches no id, is never moved, and an add may take its slot.
    private const ulong Removed = 0x0000_0000_FFFF_FFFFUL;

    private readonly TSource _source;
    private ulong* _slots;
    private long _length;
    private int _shift;
    private long _count;

    // The table being moved into _slots, or null; slots below _moved are moved already.
    private ulong* _old;
    private long _oldLength;
    private int _oldShift;
    private long _moved;

    // Whether each slot has a print beside it (see the class's remarks).
    private readonly bool _prints;

    /// <param name="source">Reads the id at a record index.</param>
    /// <param name="capacity">Entries to make room for.</param>
    /// <param name="prints">Keep 16 more bits of each hash, so absent ids read no records: for records in files.</param>
    public IdIndex(TSource source, long capacity = MinCapacity, bool prints = false)
    {
        _source = source;
        _prints = prints;
        _length = SizeFor(capacity);
        _slots = Allocate(_length);
        _shift = ShiftFor(_length);
    }

    ~IdIndex() => Release();

    /// <summary>Returns the tables now (an index frozen into a run on disk is done with), rather than at finalization.</summary>
    public void Free() => Release();

    private void Release()
    {
        if (_slots is not null) NativeMemory.Free(_slots);
        if (_old is not null) NativeMemory.Free(_old);
        _slots = null;
        _old = null;
    }

    public long Count => _count;

    /// <summary>Whether a growth is under way (an old table is still being moved); for tests.</summary>
    internal bool Growing => _old is not null;

    /// <summary>Entries in the tables, counted slot by slot (for tests: with no leftovers, <see cref="Count"/>).</summary>
    internal long CountEntries()
    {
        long entries = 0;
        for (long slot = 0; slot < _length; slot++) entries += (long)(_slots[slot] & Occupied) >> 32;
        for (long slot = _moved; slot < _oldLength; slot++) entries += (long)(_old[slot] & Occupied) >> 32;
        return entries;
    }

    /// <summary>The index of the record with <paramref name="id"/>, or -1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long Find(UInt128 id)
    {
        ulong* slots = _slots;
        long mask = _length - 1;
        ulong hash = Hash(id);
        ulong tag = Tag(hash);
        ushort print = Print(hash);
        bool prints = _prints;
        long slot = (long)(hash >> _shift);
        while (true)
        {
            ulong value = slots[slot];
            if (value == 0)
            {
                // Absent from the table in use: while growing, it may be in the old one still.
                return _old is null ? -1 : FindNotMoved(hash, id);
            }

            if ((value & HashMask) == tag && (!prints || ((ushort*)(slots + mask + 1))[slot] == print))
            {
                // An entry at or past the count names no record (none is left there by the index itself;
                // checked so a stale entry can never answer for an id).
                long index = IndexOf(value);
                long count = _source.Count;
                if (index < count && _source.IdAt(index) == id) return index;
                if (count > Wrap && (index = Match(index + Wrap, id)) >= 0) return index;
            }

            slot = (slot + 1) & mask;
        }
    }

    /// <summary>Prefetches the home slot of <paramref name="id"/> (a hint; see <see cref="Prefetcher"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Prefetch(UInt128 id)
    {
        ulong hash = Hash(id);
        Prefetcher.Line(ref _slots[(long)(hash >> _shift)]);
        if (_old is not null) Prefetcher.Line(ref _old[(long)(hash >> _oldShift)]);
    }

    /// <summary>
    /// The index of the first entry whose stored hash bits match <paramref name="id"/>'s, without
    /// reading any record: usually the record's index, never verified. For prefetching only (while
    /// growing, entries not yet moved are not guessed).
    /// </summary>
    public long Guess(UInt128 id)
    {
        ulong* slots = _slots;
        long mask = _length - 1;
        ulong hash = Hash(id);
        ulong tag = Tag(hash);
        long slot = (long)(hash >> _shift);
        for (int probe = 0; probe < 8; probe++)
        {
            ulong value = slots[slot];
            if (value == 0) return -1;
            if ((value & HashMask) == tag) return IndexOf(value);
            slot = (slot + 1) & mask;
        }

        return -1;
    }

    /// <summary>
    /// Makes room for <paramref name="capacity"/> entries in total, so bulk loads do not grow
    /// repeatedly. Rehashes at once (a load is not on the processor's path).
    /// </summary>
    public void EnsureCapacity(long capacity)
    {
        long size = SizeFor(capacity);
        if (size <= _length) return;
        FinishGrowing();
        StartGrowing(size);
        FinishGrowing();
    }

    /// <summary>Adds <paramref name="index"/>, whose record holds an id not yet indexed.</summary>
    public void Add(long index) => Add(index, Hash(_source.IdAt(index)));

    /// <summary>Adds <paramref name="index"/>, whose record holds an id not yet indexed, with that id's <see cref="Hash"/>.</summary>
    public void Add(long index, ulong hash)
    {
        Debug.Assert(Find(_source.IdAt(index)) == -1 && hash == Hash(_source.IdAt(index)));
        if (_old is not null)
        {
            MoveSome();
        }
        else if ((_count + 1) * (long)LoadDenominator > _length * LoadNumerator)
        {
            StartGrowing(_length * 2);
            if (_oldLength <= GrowAtOnceUpTo) FinishGrowing();
            else MoveSome();
        }

        Insert(_slots, _length - 1, _shift, Tag(hash), Print(hash), index, _prints);
        _count++;
    }

    /// <summary>Moves a share of a growth under way (the state machine calls this once per batch).</summary>
    public void Step()
    {
        if (_old is not null) MoveSome(SlotsMovedPerStep);
    }

    /// <summary>Removes the entry of <paramref name="id"/>, which must be present.</summary>
    public void Remove(UInt128 id)
    {
        ulong hash = Hash(id);
        long slot = SlotOf(_slots, _length - 1, _shift, hash, id, 0, out long index);
        ulong* table = _slots;
        if (slot < 0)
        {
            slot = SlotOf(_old, _oldLength - 1, _oldShift, hash, id, _moved, out index);
            table = _old;
        }

        Debug.Assert(slot >= 0);
        if (!StandsForAnother(table[slot], index)) table[slot] = Removed;
        _count--;
    }

    // Whether the entry, besides the record at `index`, stands for another with the same low 32 bits
    // whose id has the same hash bits (past 2^32 records an add finds such an entry already there and
    // shares it, see Insert): removing it would then lose that record too.
    private bool StandsForAnother(ulong entry, long index)
    {
        if (_source.Count <= Wrap) return false;
        for (long other = IndexOf(entry); other < _source.Count; other += Wrap)
        {
            if (other != index && Tag(Hash(_source.IdAt(other))) == (entry & HashMask)) return true;
        }

        return false;
    }

    // Find in the old table, among the slots not moved yet (out of line: the common path stays small).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private long FindNotMoved(ulong hash, UInt128 id)
    {
        SlotOf(_old, _oldLength - 1, _oldShift, hash, id, _moved, out long index);
        return index;
    }

    // The slot holding `id` (at or above movedBelow), or -1; `index` is its record's index, or -1.
    private long SlotOf(ulong* slots, long mask, int shift, ulong hash, UInt128 id, long movedBelow, out long index)
    {
        ulong tag = Tag(hash);
        ushort print = Print(hash);
        long slot = (long)(hash >> shift);
        while (slots[slot] != 0)
        {
            ulong value = slots[slot];
            if ((value & HashMask) == tag && (!_prints || ((ushort*)(slots + mask + 1))[slot] == print) && slot >= movedBelow &&
                (index = Match(IndexOf(value), id)) >= 0)
            {
                return slot;
            }

            slot = (slot + 1) & mask;
        }

        index = -1;
        return -1;
    }

    private void StartGrowing(long size)
    {
        Debug.Assert(_old is null);
        if (size > MaxSlots)
        {
            throw new InvalidOperationException($"The in-memory id index is full: {_count} ids in {_length} slots (docs/storage.md: id runs on disk lift this bound).");
        }

        _old = _slots;
        _oldLength = _length;
        _oldShift = _shift;
        _moved = 0;
        _slots = Allocate(size);
        _length = size;
        _shift = ShiftFor(size);
    }

    // Moves the next slots of the old table; the old table is freed once all are moved. Consecutive
    // old slots hold entries whose new homes are consecutive too (Fibonacci hashing keeps the top
    // bits' order), so both tables are walked nearly sequentially.
    private void MoveSome(int slots = SlotsMovedPerAdd)
    {
        long end = Math.Min(_moved + slots, _oldLength);
        for (long slot = _moved; slot < end; slot++)
        {
            ulong value = _old[slot];
            if ((value & Occupied) != 0) Insert(_slots, _length - 1, _shift, value & HashMask, _prints ? ((ushort*)(_old + _oldLength))[slot] : (ushort)0, IndexOf(value), _prints);
        }

        _moved = end;
        if (end == _oldLength)
        {
            NativeMemory.Free(_old);
            _old = null;
        }
    }

    private void FinishGrowing()
    {
        while (_old is not null) MoveSome(SlotsMovedPerStep);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong Hash(UInt128 id)
    {
        // Fold both halves, then Fibonacci-hash: sequential ids spread over the whole table. The top
        // bits choose the home slot (tables stay at or below 2^31 slots, so the stored 31 bits suffice
        // to find it again when growing).
        ulong lower = unchecked((ulong)id); // the low half: truncation intended (checked arithmetic is on)
        ulong upper = (ulong)(id >> 64);
        return unchecked((lower ^ (upper * 0xC2B2AE3D27D4EB4FUL)) * 0x9E3779B97F4A7C15UL);
    }

    private const long Wrap = 1L << 32;

    // The high half of an entry for `hash`.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Tag(ulong hash) => (hash & HashMask) | Occupied;

    // The low half of a slot: the record index's low 32 bits (the index itself below 2^32 records).
    private static long IndexOf(ulong slot) => unchecked((uint)slot);

    // The index of the record holding `id` among `index` and those above it with the same low 32 bits
    // (past 2^32 records an entry's low bits stand for each of them), or -1.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private long Match(long index, UInt128 id)
    {
        for (; index < _source.Count; index += Wrap)
        {
            if (_source.IdAt(index) == id) return index;
        }

        return -1;
    }

    private static long SizeFor(long capacity) =>
        (long)BitOperations.RoundUpToPowerOf2((ulong)Math.Max(MinCapacity, (capacity * LoadDenominator / LoadNumerator) + 1));

    private static int ShiftFor(long size) => 64 - BitOperations.Log2((ulong)size);

    // The slots, then 2 bytes per slot for the prints if kept (see the class's remarks).
    private ulong* Allocate(long size) => (ulong*)NativeMemory.AllocZeroed((nuint)TableBytes(size));

    private long TableBytes(long size) => size * (_prints ? sizeof(ulong) + sizeof(ushort) : sizeof(ulong));

    // 16 bits of the hash from its middle, independent of the top bits the tag and the home slot use.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ushort Print(ulong hash) => unchecked((ushort)(hash >> 16));

    // Into the first free slot of the probe run (empty, or a removed entry's), unless the run holds this
    // very entry already (past 2^32 records, one entry then stands for both records, see StandsForAnother).
    private static void Insert(ulong* slots, long mask, int shift, ulong tag, ushort print, long index, bool withPrints)
    {
        ulong entry = tag | unchecked((uint)index);
        long slot = (long)(tag >> shift);
        long free = -1;
        while (true)
        {
            ulong value = slots[slot];
            if (value == 0) break;
            if (value == entry)
            {
                free = slot;
                break;
            }

            if (value == Removed && free < 0) free = slot;
            slot = (slot + 1) & mask;
        }

        if (free < 0) free = slot;
        slots[free] = entry;
        if (withPrints) ((ushort*)(slots + mask + 1))[free] = print;
    }
}
