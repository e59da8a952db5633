namespace LedgerCore.Tcp.Protocol;

/// <summary>
/// The server's answer to a handshake: what the client needs to know before its first request.
/// <see cref="BatchEventsMax"/> bounds create requests; <see cref="ResultsMax"/> bounds lookup ids and
/// the records of any answer, and <see cref="ChangeEventsMax"/> the (wider) change events of one answer,
/// so that every answer fits <see cref="MaxFrameBytes"/>.
/// </summary>
internal readonly record struct HandshakeResponse(uint Version, UInt128 LedgerId, int MaxFrameBytes, int BatchEventsMax, int MaxInFlight, int ResultsMax, int ChangeEventsMax);
