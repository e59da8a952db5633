namespace LedgerCore.Tool.Repl;

/// <summary>The unsigned integer width of a settable field; every field of the model is one.</summary>
internal enum FieldKind
{
    /// <summary>128 bits (ids, amounts, balances, user_data_128): printed as a decimal string.</summary>
    U128,

    /// <summary>64 bits.</summary>
    U64,

    /// <summary>32 bits.</summary>
    U32,

    /// <summary>16 bits.</summary>
    U16,
}
