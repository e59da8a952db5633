using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace LedgerCore.StateMachine.Storage;

/// <summary>
/// An immutable, sorted file of the ids of the records in one index range [<see cref="First"/>,
/// <see cref="End"/>): (hash, index) entries in 4 KiB blocks sorted by hash, then a filter over the
/// hashes (<see cref="IdFilter"/>), the first hash of each block (the fences) and a checksum of each
/// block, then a footer with its own checksum over everything after the blocks. The filter, fences and
/// checksums are read into memory when the run is opened (2.06 B per entry); a lookup that passes the
/// filter reads one block (usually) with <c>pread</c>, through the page cache, and verifies it, so a
/// flipped bit in a block fails the read as <see cref="LedgerCorruptedException"/> rather than
/// answering wrong. The file's name is its range (<see cref="NameOf"/>): a range's entries are the
/// same whenever they are written, because the records are (the journal's replay is deterministic).
/// </summary>
internal sealed unsafe class IdRun : IDisposable
{
    public const int BlockBytes = 4096;
    public const int EntriesPerBlock = BlockBytes / 16;
    public const string Prefix = "ids-";
    public const string Suffix = ".run";
    private const ulong Magic = 0x314E55524449434CUL; // "LCIDRUN1"
    private const int FooterBytes = 64;
    private const int Version = 1;

    private readonly SafeFileHandle _file;
    private readonly ulong[] _fences;
    private readonly ulong[] _checksums;
    private IdFilter _filter;
    private int _disposed;

    private IdRun(string path, SafeFileHandle file, long first, long end, long count, int level, IdFilter filter, ulong[] fences, ulong[] checksums)
    {
        Path = path;
        _file = file;
        First = first;
        End = end;
        Count = count;
        Level = level;
        _filter = filter;
        _fences = fences;
        _checksums = checksums;
    }

    public string Path { get; }

    public string Name => System.IO.Path.GetFileName(Path);

    /// <summary>The first record index the run covers.</summary>
    public long First { get; }

    /// <summary>The index past the last record the run covers.</summary>
    public long End { get; }

    /// <summary>Entries: one per record in the range.</summary>
    public long Count { get; }

    /// <summary>0 for a run written from memory; a merge of runs of level L writes one of L + 1.</summary>
    public int Level { get; }

    public static string NameOf(long first, long end) =>
        FormattableString.Invariant($"{Prefix}{first:D19}-{end:D19}{Suffix}");

    /// <summary>Whether <paramref name="name"/> is the name of a run file (or of one being written, with <paramref name="temporary"/>).</summary>
    public static bool IsRunName(string name, bool temporary = false) =>
        name.StartsWith(Prefix, StringComparison.Ordinal) && name.EndsWith(temporary ? Suffix + ".tmp" : Suffix, StringComparison.Ordinal);

    /// <summary>
    /// The index of the record holding <paramref name="id"/> among this run's, or -1. <paramref name="key"/>
    /// is the id's hash.
    /// </summary>
    /// <exception cref="LedgerCorruptedException">A block read fails its checksum.</exception>
    /// <exception cref="IOException">A block could not be read.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long Find<TSource>(ulong key, UInt128 id, TSource source) where TSource : struct, IIdSource =>
        _filter.MayContain(key) ? Search(key, id, source) : -1;

    /// <summary>Prefetches the filter's block for <paramref name="key"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Prefetch(ulong key) => _filter.Prefetch(key);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private long Search<TSource>(ulong key, UInt128 id, TSource source) where TSource : struct, IIdSource
    {
        // The first block whose first key is at or past `key`: the key may be at the end of the block
        // before it, and in every block from it on that starts with the key (equal hashes may span blocks).
        int at = _fences.AsSpan().BinarySearch(key);
        int first = at >= 0 ? at : ~at;
        while (first > 0 && at >= 0 && _fences[first - 1] == key) first--;
        Span<byte> block = stackalloc byte[BlockBytes];
        for (int b = Math.Max(0, first - 1); b < _fences.Length; b++)
        {
            if (b >= first && _fences[b] != key) break;
            ReadBlock(b, block);
            ReadOnlySpan<IdRunEntry> entries = MemoryMarshal.Cast<byte, IdRunEntry>(block)[..EntriesIn(b)];
            foreach (ref readonly IdRunEntry entry in entries)
            {
                if (entry.Key > key) return -1;
                if (entry.Key == key && entry.Index < source.Count && source.IdAt(entry.Index) == id) return entry.Index;
            }
        }

        return -1;
    }

    /// <summary>Reads block <paramref name="block"/> whole and verifies it.</summary>
    /// <exception cref="LedgerCorruptedException">It fails its checksum, or the file is short.</exception>
    public void ReadBlock(long block, Span<byte> into)
    {
        int read = RandomAccess.Read(_file, into[..BlockBytes], block * BlockBytes);
        if (read != BlockBytes || XxHash3.HashToUInt64(into[..BlockBytes], block) != _checksums[block])
        {
            throw new LedgerCorruptedException(Path, block * BlockBytes, "an id-run block fails its checksum");
        }
    }

    /// <summary>Blocks in the run.</summary>
    public long Blocks => _fences.Length;

    /// <summary>Entries in block <paramref name="block"/> (all but the last are full).</summary>
    public int EntriesIn(long block) => (int)Math.Min(EntriesPerBlock, Count - (block * EntriesPerBlock));

    /// <summary>
    /// Opens the run of [<paramref name="first"/>, <paramref name="end"/>) in <paramref name="directory"/>,
    /// verifying its footer, filter, fences and checksums (its blocks are verified as they are read).
    /// </summary>
    /// <exception cref="LedgerCorruptedException">The file is missing, short, of another range, or fails a checksum.</exception>
    public static IdRun Open(string directory, long first, long end)
    {
        string path = System.IO.Path.Combine(directory, NameOf(first, end));
        SafeFileHandle file;
        try
        {
            file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.RandomAccess);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new LedgerCorruptedException($"Ledger data is corrupted: the id run '{path}' a checkpoint names is missing.", e);
        }

        try
        {
            long length = RandomAccess.GetLength(file);
            Span<byte> footer = stackalloc byte[FooterBytes];
            if (length < FooterBytes || RandomAccess.Read(file, footer, length - FooterBytes) != FooterBytes || BinaryPrimitives.ReadUInt64LittleEndian(footer) != Magic)
            {
                throw new LedgerCorruptedException(path, Math.Max(0, length - FooterBytes), "an id run's footer is missing");
            }

            int level = BinaryPrimitives.ReadInt32LittleEndian(footer[12..]);
            long runFirst = BinaryPrimitives.ReadInt64LittleEndian(footer[16..]);
            long runEnd = BinaryPrimitives.ReadInt64LittleEndian(footer[24..]);
            long count = BinaryPrimitives.ReadInt64LittleEndian(footer[32..]);
            long filterBlocks = BinaryPrimitives.ReadInt64LittleEndian(footer[40..]);
            long blocks = (count + EntriesPerBlock - 1) / EntriesPerBlock;
            if (BinaryPrimitives.ReadInt32LittleEndian(footer[8..]) != Version) throw new LedgerCorruptedException(path, length - FooterBytes + 8, "an id run of an unknown version");
            if (runFirst != first || runEnd != end || count != end - first || count <= 0 || filterBlocks != IdFilter.BlocksFor(count) ||
                length != (blocks * BlockBytes) + (filterBlocks * IdFilter.BlockBytes) + (blocks * 16) + FooterBytes)
            {
                throw new LedgerCorruptedException(path, length - FooterBytes, "an id run's footer does not match its range or length");
            }

            var hash = new XxHash3();
            IdFilter filter = IdFilter.ForKeys(count);
            var fences = new ulong[blocks];
            var checksums = new ulong[blocks];
            try
            {
                long offset = blocks * BlockBytes;
                ReadFilter(file, filter, offset, path, hash);

                offset += filter.Bytes;
                Span<byte> fenceBytes = MemoryMarshal.AsBytes(fences.AsSpan());
                Span<byte> checksumBytes = MemoryMarshal.AsBytes(checksums.AsSpan());
                if (RandomAccess.Read(file, fenceBytes, offset) != fenceBytes.Length ||
                    RandomAccess.Read(file, checksumBytes, offset + fenceBytes.Length) != checksumBytes.Length)
                {
                    throw new LedgerCorruptedException(path, offset, "an id run is short");
                }

                hash.Append(fenceBytes);
                hash.Append(checksumBytes);
                hash.Append(footer[..56]);
                if (hash.GetCurrentHashAsUInt64() != BinaryPrimitives.ReadUInt64LittleEndian(footer[56..]))
                {
                    throw new LedgerCorruptedException(path, offset, "an id run's filter, fences or checksums fail their checksum");
                }
            }
            catch
            {
                filter.Free();
                throw;
            }

            return new IdRun(path, file, first, end, count, level, filter, fences, checksums);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _file.Dispose();
        _filter.Free();
        _filter = default;
        GC.SuppressFinalize(this);
    }

    ~IdRun()
    {
        if (_disposed == 0) _filter.Free();
    }

    /// <summary>
    /// Writes a run of a range of records from their entries, given
    /// in order (<see cref="Add"/>), durably: a temporary file, fsynced, then renamed and the directory
    /// synced. Disposing an unfinished writer deletes its temporary file.
    /// </summary>
    public sealed class Writer : IDisposable
    {
        // The filter is written as the entries come, a window of its blocks at a time: entries come in
        // key order and a key's block follows its top bits, so a block is final once the keys pass it.
        // A merge's output filter (up to 256 MB at 200M transfers) is thus held only from its end until
        // the merged run replaces its inputs, not for the whole merge beside the inputs' filters.
        private const int WindowBlocks = 4096;

        private readonly string _path;
        private readonly string _temporary;
        private readonly FileStream _stream;
        private readonly SafeFileHandle _filterFile;
        private readonly long _first;
        private readonly long _count;
        private readonly int _level;
        private readonly long _filterBlocks;
        private readonly long _filterOffset;
        private readonly ulong[] _fences;
        private readonly ulong[] _checksums;
        private readonly byte[] _block = new byte[BlockBytes];
        private readonly uint[] _window = new uint[WindowBlocks * IdFilter.BlockBytes / sizeof(uint)];
        private readonly XxHash3 _hash = new();
        private long _windowStart;
        private long _added;
        private bool _finished;

        /// <exception cref="IOException">The file could not be created.</exception>
        public Writer(string directory, long first, long count, int level)
        {
            _path = System.IO.Path.Combine(directory, NameOf(first, first + count));
            _temporary = _path + ".tmp";
            _first = first;
            _count = count;
            _level = level;
            long blocks = (count + EntriesPerBlock - 1) / EntriesPerBlock;
            _fences = new ulong[blocks];
            _checksums = new ulong[blocks];
            _filterBlocks = IdFilter.BlocksFor(count);
            _filterOffset = blocks * BlockBytes;
            _stream = new FileStream(_temporary, FileMode.Create, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, 1 << 20);
            _filterFile = File.OpenHandle(_temporary, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        }

        public void Add(IdRunEntry entry)
        {
            int slot = (int)(_added % EntriesPerBlock);
            MemoryMarshal.Write(_block.AsSpan(slot * 16), in entry);
            if (slot == 0) _fences[_added / EntriesPerBlock] = entry.Key;
            long filterBlock = IdFilter.BlockOf(entry.Key, _filterBlocks);
            while (filterBlock >= _windowStart + WindowBlocks) WriteWindow(WindowBlocks);
            fixed (uint* window = _window)
            {
                IdFilter.Set(window + ((filterBlock - _windowStart) * (IdFilter.BlockBytes / sizeof(uint))), entry.Key);
            }

            _added++;
            if (_added % EntriesPerBlock == 0 || _added == _count) WriteBlock();
        }

        private void WriteBlock()
        {
            long block = (_added - 1) / EntriesPerBlock;
            int used = (int)(_added - (block * EntriesPerBlock)) * 16;
            _block.AsSpan(used).Clear();
            _checksums[block] = XxHash3.HashToUInt64(_block, block);
            _stream.Write(_block);
        }

        // Writes the window's first `blocks` blocks (all final) and moves it on past them.
        private void WriteWindow(long blocks)
        {
            ReadOnlySpan<byte> bytes = MemoryMarshal.AsBytes(_window.AsSpan(0, (int)blocks * (IdFilter.BlockBytes / sizeof(uint))));
            RandomAccess.Write(_filterFile, bytes, _filterOffset + (_windowStart * IdFilter.BlockBytes));
            _hash.Append(bytes);
            _window.AsSpan().Clear();
            _windowStart += blocks;
        }

        /// <summary>Writes the rest of the filter, the fences, checksums and footer, syncs, and opens the finished run.</summary>
        /// <exception cref="InvalidOperationException">Fewer or more entries were added than the run's count.</exception>
        /// <exception cref="IOException">A write or sync failed.</exception>
        public IdRun Finish()
        {
            if (_added != _count) throw new InvalidOperationException($"An id run of {_count} entries got {_added}.");
            while (_windowStart < _filterBlocks) WriteWindow(Math.Min(WindowBlocks, _filterBlocks - _windowStart));
            _stream.Seek(_filterOffset + (_filterBlocks * IdFilter.BlockBytes), SeekOrigin.Begin);
            ReadOnlySpan<byte> fences = MemoryMarshal.AsBytes(_fences.AsSpan());
            ReadOnlySpan<byte> checksums = MemoryMarshal.AsBytes(_checksums.AsSpan());
            _stream.Write(fences);
            _stream.Write(checksums);
            _hash.Append(fences);
            _hash.Append(checksums);
            Span<byte> footer = stackalloc byte[FooterBytes];
            footer.Clear();
            BinaryPrimitives.WriteUInt64LittleEndian(footer, Magic);
            BinaryPrimitives.WriteInt32LittleEndian(footer[8..], Version);
            BinaryPrimitives.WriteInt32LittleEndian(footer[12..], _level);
            BinaryPrimitives.WriteInt64LittleEndian(footer[16..], _first);
            BinaryPrimitives.WriteInt64LittleEndian(footer[24..], _first + _count);
            BinaryPrimitives.WriteInt64LittleEndian(footer[32..], _count);
            BinaryPrimitives.WriteInt64LittleEndian(footer[40..], _filterBlocks);
            _hash.Append(footer[..56]);
            BinaryPrimitives.WriteUInt64LittleEndian(footer[56..], _hash.GetCurrentHashAsUInt64());
            _stream.Write(footer);
            _stream.Flush(flushToDisk: true);
            _stream.Dispose();
            _filterFile.Dispose();
            File.Move(_temporary, _path, overwrite: true);
            new LedgerCore.Storage.FileStorage(System.IO.Path.GetDirectoryName(_path)!).SyncDirectory();
            _finished = true;

            // The filter back into memory, from the page cache it was just written through.
            SafeFileHandle file = File.OpenHandle(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.RandomAccess);
            IdFilter filter = IdFilter.ForKeys(_count);
            try
            {
                ReadFilter(file, filter, _filterOffset, _path);
            }
            catch
            {
                filter.Free();
                file.Dispose();
                throw;
            }

            return new IdRun(_path, file, _first, _first + _count, _count, _level, filter, _fences, _checksums);
        }

        public void Dispose()
        {
            if (_finished) return;
            _stream.Dispose();
            _filterFile.Dispose();
            File.Delete(_temporary);
        }
    }

    // Reads a run's filter from `offset` into `filter`, in chunks of up to 1 GiB, adding its bytes to `hash` if given.
    private static void ReadFilter(SafeFileHandle file, IdFilter filter, long offset, string path, XxHash3? hash = null)
    {
        byte* bytes = filter.Address;
        for (long done = 0; done < filter.Bytes;)
        {
            var chunk = new Span<byte>(bytes + done, (int)Math.Min(1 << 30, filter.Bytes - done));
            if (RandomAccess.Read(file, chunk, offset + done) != chunk.Length) throw new LedgerCorruptedException(path, offset + done, "an id run is short");
            hash?.Append(chunk);
            done += chunk.Length;
        }
    }
}
