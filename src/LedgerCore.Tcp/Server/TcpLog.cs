using Microsoft.Extensions.Logging;

namespace LedgerCore.Tcp;

/// <summary>The TCP server's log events: structured, source-generated, and never per request.</summary>
internal static partial class TcpLog
{
    [LoggerMessage(101, LogLevel.Information, "Client {RemoteEndPoint} authenticated with certificate {Subject} (SHA-256 {Thumbprint})")]
    public static partial void ClientCertificateAccepted(ILogger logger, string? remoteEndPoint, string subject, string thumbprint);

    [LoggerMessage(102, LogLevel.Warning, "Client {RemoteEndPoint} refused during TLS: {Reason}")]
    public static partial void ClientCertificateRefused(ILogger logger, string? remoteEndPoint, string reason);

    [LoggerMessage(103, LogLevel.Error, "Request {RequestId} from {RemoteEndPoint} failed with an unexpected error; the client was told only that it failed")]
    public static partial void RequestFailed(ILogger logger, Exception exception, ulong requestId, string? remoteEndPoint);

    [LoggerMessage(104, LogLevel.Information, "Backup requested by {RemoteEndPoint} written to {Directory} at batch {Sequence}")]
    public static partial void BackupWritten(ILogger logger, string? remoteEndPoint, string directory, long sequence);

    [LoggerMessage(105, LogLevel.Warning, "Backup requested by {RemoteEndPoint} into {Directory} failed")]
    public static partial void BackupFailed(ILogger logger, Exception exception, string? remoteEndPoint, string directory);
}
