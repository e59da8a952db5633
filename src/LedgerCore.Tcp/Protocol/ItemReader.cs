namespace LedgerCore.Tcp.Protocol;

/// <summary>Reads one item of a body (a delegate, because the reader is a ref struct).</summary>
internal delegate T ItemReader<T>(ref SpanReader reader);
