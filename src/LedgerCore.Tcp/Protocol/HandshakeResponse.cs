namespace LedgerCore.Tcp.Protocol;

/// <summary>The server's answer to a handshake: what the client needs to know before its first request.</summary>
internal readonly record struct HandshakeResponse(uint Version, UInt128 LedgerId, int MaxFrameBytes, int BatchEventsMax, int MaxInFlight);
