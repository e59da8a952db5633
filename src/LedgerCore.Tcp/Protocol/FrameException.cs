namespace LedgerCore.Tcp.Protocol;

/// <summary>A frame the server cannot parse or must refuse: answered with an error frame of <see cref="Code"/>.</summary>
internal sealed class FrameException(LedgerTcpErrorCode code, string message, ulong requestId = 0) : Exception(message)
{
    /// <summary>The error code the peer is told.</summary>
    public LedgerTcpErrorCode Code { get; } = code;

    /// <summary>The request id of the offending frame when its header could be read, else 0.</summary>
    public ulong RequestId { get; } = requestId;
}
