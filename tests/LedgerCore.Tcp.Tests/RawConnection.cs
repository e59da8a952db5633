using System.Net.Sockets;
using LedgerCore.Tcp.Protocol;
using MessagePack;

namespace LedgerCore.Tcp.Tests;

/// <summary>A plain socket speaking (or deliberately not speaking) the protocol, for bad-input tests.</summary>
internal sealed class RawConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly FrameReader _reader;

    private RawConnection(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _reader = new FrameReader(_stream, 16 * 1024 * 1024);
    }

    /// <summary>What the server announced in the handshake (default when connected without one).</summary>
    public HandshakeResponse Handshake { get; private set; }

    public static async Task<RawConnection> ConnectAsync(int port, bool handshake = true, string? token = null)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync("127.0.0.1", port);
        var connection = new RawConnection(socket);
        if (handshake)
        {
            await connection.SendAsync(TcpOperation.Handshake, 1, (ref MessagePackWriter w) => BodyCodec.WriteHandshakeRequest(ref w, token));
            (FrameHeader header, byte[] body) = await connection.ReadAsync();
            if (header.Operation != TcpOperation.Handshake) throw new InvalidOperationException($"handshake answered with {header.Operation}");
            connection.Handshake = BodyCodec.ReadHandshakeResponse(body);
        }

        return connection;
    }

    /// <summary>Every frame until the server closes (EOF or reset), in arrival order; throws if it does not close in time.</summary>
    public async Task<List<(FrameHeader Header, byte[] Body)>> ReadUntilClosedAsync(TimeSpan? timeout = null)
    {
        var frames = new List<(FrameHeader, byte[])>();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        for (int i = 0; i < 10_000; i++)
        {
            try
            {
                Frame? frame = await _reader.ReadAsync(cts.Token);
                if (frame is null) return frames;
                using (frame) frames.Add((frame.Header, frame.Body.ToArray()));
            }
            catch (IOException)
            {
                return frames;
            }
        }

        throw new InvalidOperationException("the server kept sending");
    }

    public delegate void BodyWriter(ref MessagePackWriter writer);

    public Task SendBytesAsync(byte[] bytes) => _stream.WriteAsync(bytes).AsTask();

    public async Task SendAsync(TcpOperation operation, ulong requestId, BodyWriter body)
    {
        using var buffer = new FrameBuffer(256);
        var writer = new MessagePackWriter(buffer);
        body(ref writer);
        writer.Flush();
        await _stream.WriteAsync(buffer.Complete(operation, requestId));
    }

    public async Task SendRawBodyAsync(TcpOperation operation, ulong requestId, byte[] body)
    {
        var frame = new byte[FrameHeader.Size + body.Length];
        new FrameHeader(operation, (uint)body.Length, requestId).Write(frame);
        body.CopyTo(frame, FrameHeader.Size);
        await _stream.WriteAsync(frame);
    }

    /// <summary>The next frame (header and a copy of its body); throws if the server closed instead.</summary>
    public async Task<(FrameHeader Header, byte[] Body)> ReadAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        using Frame frame = await _reader.ReadAsync(cts.Token) ?? throw new EndOfStreamException("The server closed the connection.");
        return (frame.Header, frame.Body.ToArray());
    }

    /// <summary>The next frame, which must be an error frame; returns its code.</summary>
    public async Task<(LedgerTcpErrorCode Code, ulong RequestId, string Message)> ReadErrorAsync(TimeSpan? timeout = null)
    {
        (FrameHeader header, byte[] body) = await ReadAsync(timeout);
        if (header.Operation != TcpOperation.Error) throw new InvalidOperationException($"expected an error frame, got {header.Operation}");
        ErrorBody error = BodyCodec.ReadError(body);
        return (error.Code, header.RequestId, error.Message);
    }

    /// <summary>Whether the server closes the connection (EOF or reset) within the timeout, skipping any frames.</summary>
    public async Task<bool> ClosedByServerAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        var sink = new byte[4096];
        try
        {
            while (await _stream.ReadAsync(sink, cts.Token) > 0)
            {
            }

            return true;
        }
        catch (IOException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Tells the server we send nothing more (FIN), keeping the receive side open.</summary>
    public void ShutdownSend() => _socket.Shutdown(SocketShutdown.Send);

    public async ValueTask DisposeAsync() => await _stream.DisposeAsync();
}
