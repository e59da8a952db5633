using System.Globalization;
using System.Net.Security;
using LedgerCore.Tcp;

namespace LedgerCore.Tool.Backup;

/// <summary><c>ledgercore backup --connect host:port &lt;dest&gt;</c>: the TCP Backup operation of a running server.</summary>
internal static class RemoteBackup
{
    /// <summary>Exit code: the server could not be reached, refused the connection, or does not allow or support backups.</summary>
    public const int ServerRefused = 5;

    public static async Task<int> RunAsync(string endpoint, string? token, bool tls, string destination, bool json, CancellationToken cancellationToken)
    {
        var options = new LedgerTcpClientOptions
        {
            AuthToken = token,
            Tls = tls ? new SslClientAuthenticationOptions() : null,
            // A backup of a large ledger takes as long as it takes; Ctrl+C cancels the wait (the server finishes it).
            RequestTimeout = Timeout.InfiniteTimeSpan,
            AutoReconnect = false,
        };
        options.Endpoints.Add(endpoint);
        try
        {
            await using LedgerTcpClient client = await LedgerTcpClient.ConnectAsync(options, cancellationToken).ConfigureAwait(false);
            LedgerBackup backup = await client.BackupAsync(destination, cancellationToken).ConfigureAwait(false);
            BackupReport.Write(backup, client.LedgerId, onServer: true, json);
            return Program.Intact;
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            return Program.UsageError;
        }
        catch (LedgerTcpException e) when (e.Code == LedgerTcpErrorCode.BackupFailed)
        {
            Console.Error.WriteLine($"the backup could not be written: {e.Message}");
            return Program.OutputFailed;
        }
        catch (Exception e) when (e is LedgerTcpException or IOException or System.Net.Sockets.SocketException or System.Security.Authentication.AuthenticationException or TimeoutException)
        {
            Console.Error.WriteLine($"the server at {endpoint} refused or could not be reached: {e.Message}");
            return ServerRefused;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("interrupted: the server may still complete the backup.");
            return Program.OutputFailed;
        }
    }
}
