namespace LedgerCore.Tool.Repl;

/// <summary>Stores a value already checked against the field's width into the object being built.</summary>
internal delegate void FieldSetter<T>(ref T target, UInt128 value);
