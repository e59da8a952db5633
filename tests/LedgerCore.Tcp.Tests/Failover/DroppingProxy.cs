using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using LedgerCore.Tcp.Protocol;

namespace LedgerCore.Tcp.Tests;

/// <summary>
/// A loopback proxy that loses connections at the worst moment: it passes the handshake through, then
/// forwards requests to the server but drops the connection (both sides) as the first answer arrives. So
/// the server has applied a create whose client never hears of it: an outcome unknown.
/// </summary>
internal sealed class DroppingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _upstreamPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private int _dropped;

    public DroppingProxy(int upstreamPort)
    {
        _upstreamPort = upstreamPort;
        _listener.Start();
        _acceptLoop = AcceptLoopAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Connections dropped with an answer undelivered.</summary>
    public int Dropped => Volatile.Read(ref _dropped);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _acceptLoop;
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        var connections = new List<Task>();
        try
        {
            for (int i = 0; i < 100; i++) connections.Add(RelayAsync(await _listener.AcceptSocketAsync(_stop.Token)));
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }

        await Task.WhenAll(connections);
    }

    private async Task RelayAsync(Socket client)
    {
        using Socket clientSocket = client;
        using var upstream = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await upstream.ConnectAsync(IPAddress.Loopback, _upstreamPort, _stop.Token);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            Task requests = PumpAsync(clientSocket, upstream, stop.Token);

            // The handshake answer goes through whole; the first byte of the next answer ends it all.
            var header = new byte[FrameHeader.Size];
            await ReadExactlyAsync(upstream, header, stop.Token);
            var body = new byte[BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(4))];
            await ReadExactlyAsync(upstream, body, stop.Token);
            await clientSocket.SendAsync(header, SocketFlags.None, stop.Token);
            await clientSocket.SendAsync(body, SocketFlags.None, stop.Token);
            await ReadExactlyAsync(upstream, new byte[1], stop.Token);
            Interlocked.Increment(ref _dropped);
            await stop.CancelAsync();
            clientSocket.Close(0);
            await requests;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
        {
            // A side went away, or the proxy stops.
        }
    }

    private static async Task PumpAsync(Socket from, Socket to, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            for (int i = 0; i < 1_000_000; i++)
            {
                int read = await from.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
                if (read == 0) return;
                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Dropped.
        }
    }

    private static async Task ReadExactlyAsync(Socket socket, byte[] buffer, CancellationToken cancellationToken)
    {
        int read = 0;
        while (read < buffer.Length)
        {
            int n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, cancellationToken);
            if (n == 0) throw new IOException("closed");
            read += n;
        }
    }
}
