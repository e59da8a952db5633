using System.Net;
using System.Net.Sockets;
using LedgerCore.Tcp.Protocol;

namespace LedgerCore.Tcp.Tests;

/// <summary>
/// A fake server that answers the handshake and then runs a script per connection, to make a real
/// client see what a real server never does on purpose (silence, a connection cut mid-request).
/// </summary>
internal sealed class ScriptedServer : IAsyncDisposable
{
    private readonly Socket _listener = new(SocketType.Stream, ProtocolType.Tcp);
    private readonly Task _accepting;
    private readonly List<Task> _connections = [];

    public ScriptedServer(UInt128 ledgerId, Func<int, NetworkStream, FrameReader, Task> script)
    {
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen();
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        _accepting = Task.Run(async () =>
        {
            for (int n = 0; ; n++)
            {
                Socket socket;
                try
                {
                    socket = await _listener.AcceptAsync();
                }
                catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
                {
                    return;
                }

                int index = n;
                _connections.Add(Task.Run(async () =>
                {
                    await using var stream = new NetworkStream(socket, ownsSocket: true);
                    var reader = new FrameReader(stream, 4 * 1024 * 1024);
                    using Frame? hello = await reader.ReadAsync(CancellationToken.None);
                    using var response = new FrameBuffer(64);
                    BodyCodec.WriteValue(response, new HandshakeResponse(FrameHeader.Version, ledgerId, 2 * 1024 * 1024, 8190, 32, 8190, 2730), BodyCodec.WriteHandshakeResponse);
                    await stream.WriteAsync(response.Complete(TcpOperation.Handshake, hello!.Header.RequestId));
                    try
                    {
                        await script(index, stream, reader);
                    }
                    catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
                    {
                        // The client went away: fine for a fake.
                    }
                }));
            }
        });
    }

    public int Port { get; }

    /// <summary>Answers a ping frame with its own payload.</summary>
    public static async Task EchoPingAsync(Stream stream, Frame frame)
    {
        ulong payload = BodyCodec.ReadValue(frame.Body, BodyCodec.ReadUInt64);
        using var response = new FrameBuffer(16);
        BodyCodec.WriteValue(response, payload, BodyCodec.WriteUInt64);
        await stream.WriteAsync(response.Complete(TcpOperation.Ping, frame.Header.RequestId));
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Dispose();
        await _accepting;
        await Task.WhenAll(_connections).WaitAsync(TimeSpan.FromSeconds(5));
    }
}
