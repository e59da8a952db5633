namespace LedgerCore.Tool.Repl;

/// <summary>
/// One field of an object the REPL reads and prints (an <see cref="Account"/>'s <c>ledger</c>, a
/// <see cref="Transfer"/>'s <c>flags</c>): its snake_case name as in docs/protocol.md, its width, and how
/// to set and get it. The same table drives the parser, the printer and <c>help</c>.
/// </summary>
internal sealed class ReplField<T>(string name, FieldKind kind, FieldSetter<T> set, Func<T, UInt128> get, ReplFlag[]? flags = null)
{
    /// <summary>The field's name in statements and output.</summary>
    public string Name { get; } = name;

    /// <summary>The field's width.</summary>
    public FieldKind Kind { get; } = kind;

    /// <summary>The named bits when this is a flags field (written <c>a|b</c>), else null.</summary>
    public ReplFlag[]? Flags { get; } = flags;

    /// <summary>Stores a value that fits <see cref="Max"/>.</summary>
    public FieldSetter<T> Set { get; } = set;

    /// <summary>Reads the field.</summary>
    public Func<T, UInt128> Get { get; } = get;

    /// <summary>The largest value the field holds.</summary>
    public UInt128 Max => Kind switch
    {
        FieldKind.U128 => UInt128.MaxValue,
        FieldKind.U64 => ulong.MaxValue,
        FieldKind.U32 => uint.MaxValue,
        _ => ushort.MaxValue,
    };

    /// <summary>The type's name as the user sees it: u128, u64, u32 or u16.</summary>
    public string TypeName => Kind.ToString().ToLowerInvariant();
}
