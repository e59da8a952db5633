using LedgerCore.Storage;

namespace LedgerCore.Tests.Faults;

/// <summary>
/// A test-only, in-memory <see cref="IStorage"/> that models what a disk promises and no more: file
/// contents are durable only up to the last fsync of the file, and names (creations, renames,
/// deletions) only up to the last directory sync. It can fail the Nth write or fsync with an
/// <see cref="IOException"/>, stop the machine at the Nth mutation ("crash"), tear the last
/// unsynced write at a chosen byte, and flip bits. <see cref="Crash"/> returns what survives.
/// </summary>
internal sealed class FaultyStorage : IStorage
{
    public const string Eio = "Input/output error (EIO)";
    public const string Enospc = "No space left on device (ENOSPC)";

    private readonly Lock _gate = new();
    private readonly Dictionary<string, MemoryNode> _names;
    private Dictionary<string, MemoryNode> _durableNames;
    private MemoryNode? _lastWritten;
    private int _writes;
    private int _flushes;
    private int _mutations;
    private bool _dead;
    private int _flushesWaiting;

    public FaultyStorage()
        : this(new Dictionary<string, MemoryNode>(StringComparer.Ordinal))
    {
    }

    private FaultyStorage(Dictionary<string, MemoryNode> names)
    {
        _names = names;
        _durableNames = new Dictionary<string, MemoryNode>(names, StringComparer.Ordinal);
    }

    /// <summary>The planned fault; <see cref="FaultAt"/> counts writes (FailWrite), fsyncs (FailFlush) or all three mutations (Crash), from 1.</summary>
    public FaultKind Fault { get; set; }

    public int FaultAt { get; set; }

    /// <summary>The message of the injected <see cref="IOException"/>.</summary>
    public string FaultMessage { get; set; } = Eio;

    /// <summary>Bytes of a failing write that still reach the page cache before it throws.</summary>
    public int PartialWriteBytes { get; set; }

    /// <summary>With <see cref="FaultKind.Crash"/>: how many bytes of the last unsynced write survive (null: none of the unsynced data).</summary>
    public int? CrashTornBytes { get; set; }

    /// <summary>Only files whose name passes this filter count towards and receive the planned fault (Crash counts everything).</summary>
    public Func<string, bool> FaultFilter { get; set; } = static _ => true;

    /// <summary>The file the planned fault hit, once it fired (the directory itself for a crash at a directory sync).</summary>
    public string? FaultedFile { get; private set; }

    /// <summary>What survived the planned crash, once it fired.</summary>
    public FaultyStorage? CrashImage { get; private set; }

    /// <summary>When set, every fsync waits for it: holds the journal stage inside a group commit.</summary>
    public ManualResetEventSlim? FlushGate { get; set; }

    /// <summary>Fsyncs waiting at <see cref="FlushGate"/>.</summary>
    public int FlushesWaiting => Volatile.Read(ref _flushesWaiting);

    /// <summary>
    /// Called before every write and fsync, outside the storage's lock, with the file's name: the
    /// simulator uses it to make the disk slow at random. It only delays; it changes no outcome.
    /// </summary>
    public Action<string>? BeforeOperation { get; set; }

    public int Writes { get { lock (_gate) return _writes; } }

    public int Flushes { get { lock (_gate) return _flushes; } }

    public IReadOnlyList<string> List()
    {
        lock (_gate)
        {
            var names = _names.Keys.ToList();
            names.Sort(StringComparer.Ordinal);
            return names;
        }
    }

    public bool Exists(string name)
    {
        lock (_gate) return _names.ContainsKey(name);
    }

    public IStorageFile Open(string name, bool create)
    {
        lock (_gate)
        {
            if (!_names.TryGetValue(name, out MemoryNode? node))
            {
                if (!create) throw new FileNotFoundException($"'{name}' does not exist.", name);
                ThrowIfDead();
                node = new MemoryNode();
                _names[name] = node;
            }

            return new FaultyStorageFile(this, name, node, readOnly: false);
        }
    }

    public IStorageFile OpenRead(string name)
    {
        lock (_gate)
        {
            if (!_names.TryGetValue(name, out MemoryNode? node)) throw new FileNotFoundException($"'{name}' does not exist.", name);
            return new FaultyStorageFile(this, name, node, readOnly: true);
        }
    }

    public void Delete(string name)
    {
        lock (_gate)
        {
            ThrowIfDead();
            _names.Remove(name);
        }
    }

    public void Rename(string from, string to)
    {
        lock (_gate)
        {
            ThrowIfDead();
            if (!_names.Remove(from, out MemoryNode? node)) throw new FileNotFoundException($"'{from}' does not exist.", from);
            _names[to] = node;
        }
    }

    public void SyncDirectory()
    {
        lock (_gate)
        {
            ThrowIfDead();
            if (Fault == FaultKind.Crash && ++_mutations == FaultAt) Die("(directory)", torn: null);
            _durableNames = new Dictionary<string, MemoryNode>(_names, StringComparer.Ordinal);
        }
    }

    /// <summary>
    /// The storage a restarted machine finds: the durably named files with their durable bytes; with
    /// <paramref name="tornBytes"/>, the most recently written file also keeps its unsynced writes with
    /// the last one cut after that many bytes.
    /// </summary>
    public FaultyStorage Crash(int? tornBytes = null)
    {
        lock (_gate)
        {
            var survivors = new Dictionary<string, MemoryNode>(StringComparer.Ordinal);
            foreach ((string name, MemoryNode node) in _durableNames)
            {
                survivors[name] = MemoryNode.FromDurable(node.Survivor(ReferenceEquals(node, _lastWritten) ? tornBytes : null));
            }

            return new FaultyStorage(survivors);
        }
    }

    /// <summary>
    /// The storage a restarted process (not machine) finds: the OS kept its page cache, so every name
    /// and every byte written survives, synced or not, and is written back (durable) from then on.
    /// </summary>
    public FaultyStorage Restart()
    {
        lock (_gate)
        {
            var survivors = new Dictionary<string, MemoryNode>(StringComparer.Ordinal);
            foreach ((string name, MemoryNode node) in _names) survivors[name] = MemoryNode.FromDurable(node.Current.ToArray());
            return new FaultyStorage(survivors);
        }
    }

    /// <summary>Flips bit <paramref name="bit"/> of the byte at <paramref name="offset"/> of a file, cached and durable.</summary>
    public void FlipBit(string name, long offset, int bit = 0)
    {
        lock (_gate) _names[name].FlipBit(offset, bit);
    }

    /// <summary>The file's current bytes.</summary>
    public byte[] ReadAll(string name)
    {
        lock (_gate) return _names[name].Current.ToArray();
    }

    /// <summary>Replaces a file's bytes, durably (for building corrupt directories).</summary>
    public void WriteAll(string name, byte[] content)
    {
        lock (_gate)
        {
            _names[name] = MemoryNode.FromDurable(content);
            _durableNames[name] = _names[name];
        }
    }

    internal void Write(string name, MemoryNode node, long offset, ReadOnlySpan<byte> data)
    {
        BeforeOperation?.Invoke(name);
        lock (_gate)
        {
            ThrowIfDead();
            bool counted = FaultFilter(name);
            if (counted && Fault == FaultKind.FailWrite && ++_writes == FaultAt)
            {
                node.Write(offset, data[..Math.Min(PartialWriteBytes, data.Length)]);
                _lastWritten = node;
                throw Injected(name);
            }

            if (Fault != FaultKind.FailWrite) _writes++;
            node.Write(offset, data);
            _lastWritten = node;
            if (Fault == FaultKind.Crash && ++_mutations == FaultAt) Die(name, CrashTornBytes);
        }
    }

    internal void Flush(string name, MemoryNode node)
    {
        BeforeOperation?.Invoke(name);
        if (FlushGate is { } flushGate)
        {
            Interlocked.Increment(ref _flushesWaiting);
            flushGate.Wait();
            Interlocked.Decrement(ref _flushesWaiting);
        }

        lock (_gate)
        {
            ThrowIfDead();
            bool counted = FaultFilter(name);
            if (counted && Fault == FaultKind.FailFlush && ++_flushes == FaultAt) throw Injected(name);
            if (Fault != FaultKind.FailFlush) _flushes++;
            if (Fault == FaultKind.Crash && ++_mutations == FaultAt) Die(name, CrashTornBytes);
            node.Flush();
        }
    }

    internal void Truncate(MemoryNode node, long length)
    {
        lock (_gate)
        {
            ThrowIfDead();
            node.Truncate(length);
        }
    }

    internal long LengthOf(MemoryNode node)
    {
        lock (_gate) return node.Length;
    }

    internal int Read(MemoryNode node, long offset, Span<byte> buffer)
    {
        lock (_gate) return node.Read(offset, buffer);
    }

    private void Die(string name, int? torn)
    {
        CrashImage = Crash(torn);
        FaultedFile = name;
        _dead = true;
        throw new IOException($"{FaultMessage}: the machine crashed during an operation on '{name}'.");
    }

    private IOException Injected(string name)
    {
        FaultedFile = name;
        return new IOException($"{FaultMessage} on '{name}'.");
    }

    private void ThrowIfDead()
    {
        if (_dead) throw new IOException($"{FaultMessage}: the machine has crashed.");
    }
}
