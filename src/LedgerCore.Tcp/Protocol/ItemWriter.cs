using MessagePack;

namespace LedgerCore.Tcp.Protocol;

/// <summary>Writes one item of a body (a delegate, because the writer is a ref struct).</summary>
internal delegate void ItemWriter<T>(ref MessagePackWriter writer, in T item);
