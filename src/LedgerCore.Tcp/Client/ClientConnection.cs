using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using LedgerCore.Tcp.Protocol;

namespace LedgerCore.Tcp;

/// <summary>
/// One connection of a <see cref="LedgerTcpClient"/>: writes frames whole under a lock (so callers on
/// any thread can pipeline), and a read loop that matches responses to pending requests by id. When
/// the connection fails, every pending request fails with the same <see cref="LedgerTcpConnectionException"/>.
/// A request's buffer stays the caller's, so that it can be sent again (same ids) on another connection.
/// </summary>
internal sealed class ClientConnection : IAsyncDisposable
{
    /// <summary>The handshake's request id: any non-zero id works, as nothing else is in flight yet.</summary>
    private const ulong HandshakeRequestId = 1;

    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly FrameReader _reader;
    private readonly string _endpoint;
    private readonly TimeSpan _requestTimeout;
    private readonly int _ownResultsMax;
    private readonly int _ownChangeEventsMax;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ConcurrentDictionary<ulong, PendingRequest> _pending = new();
    private Task _readLoop = Task.CompletedTask;
    private LedgerTcpConnectionException? _fault;
    private LedgerTcpErrorCode _closeReason;
    private string? _closeMessage;
    private ulong _nextRequestId;
    private int _disposed;

    private ClientConnection(Socket socket, Stream stream, LedgerTcpClientOptions options, string endpoint, int endpointIndex)
    {
        _socket = socket;
        _stream = stream;
        _reader = new FrameReader(stream, options.MaxFrameBytes);
        _endpoint = endpoint;
        EndpointIndex = endpointIndex;
        _requestTimeout = options.RequestTimeout;
        _ownResultsMax = BodyCodec.ResultsMaxFor(options.MaxFrameBytes);
        _ownChangeEventsMax = BodyCodec.ChangeEventsMaxFor(options.MaxFrameBytes);
    }

    /// <summary>The server's <c>host:port</c>.</summary>
    public string Endpoint => _endpoint;

    /// <summary>Its position in the client's endpoint list, or -1 for a leader a server named that the list does not hold.</summary>
    public int EndpointIndex { get; }

    /// <summary>What the server said in its handshake.</summary>
    public HandshakeResponse Handshake { get; private set; }

    /// <summary>The server's records bound, lowered to what fits this client's own frame limit.</summary>
    public int ResultsMax => Math.Min(Handshake.ResultsMax, _ownResultsMax);

    /// <summary>The server's change-events bound, lowered to what fits this client's own frame limit.</summary>
    public int ChangeEventsMax => Math.Min(Handshake.ChangeEventsMax, _ownChangeEventsMax);

    /// <summary>The server's create bound, lowered likewise.</summary>
    public int BatchEventsMax => Math.Min(Handshake.BatchEventsMax, ResultsMax);

    /// <summary>Why the connection failed, or null while it is usable.</summary>
    public LedgerTcpConnectionException? Fault => Volatile.Read(ref _fault);

    /// <summary>Whether the connection is still usable.</summary>
    public bool IsOpen => Volatile.Read(ref _fault) is null;

    /// <summary>Connects to <paramref name="host"/>:<paramref name="port"/>, negotiates TLS when configured, and completes the handshake.</summary>
    public static async Task<ClientConnection> ConnectAsync(LedgerTcpClientOptions options, string host, int port, int endpointIndex, CancellationToken cancellationToken)
    {
        string endpoint = HostPort.Format(host, port);
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(options.ConnectTimeout);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Stream? stream = null;
        try
        {
            await socket.ConnectAsync(host, port, timer.Token).ConfigureAwait(false);
            stream = new NetworkStream(socket, ownsSocket: true);
            SslClientAuthenticationOptions? tls = options.Tls ?? (options.ClientCertificate is null ? null : new SslClientAuthenticationOptions());
            if (tls is not null)
            {
                var secure = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = secure;
                tls.TargetHost ??= host;
                if (options.ClientCertificate is { } mine)
                {
                    if (!mine.HasPrivateKey) throw new ArgumentException($"The client certificate {mine.Subject} has no private key: it could not prove it is ours.", nameof(options));
                    tls.ClientCertificateContext = SslStreamCertificateContext.Create(mine, additionalCertificates: null, offline: true);
                }

                await secure.AuthenticateAsClientAsync(tls, timer.Token).ConfigureAwait(false);
            }

            var connection = new ClientConnection(socket, stream, options, endpoint, endpointIndex);
            await connection.HandshakeAsync(options.AuthToken, overTls: tls is not null, timer.Token).ConfigureAwait(false);
            connection._readLoop = Task.Run(connection.ReadLoopAsync, CancellationToken.None);
            return connection;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await DisposeAsync(socket, stream).ConfigureAwait(false);
            throw new TimeoutException($"Connecting to {endpoint} took longer than {options.ConnectTimeout.TotalSeconds:0.###} s.");
        }
        catch
        {
            await DisposeAsync(socket, stream).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Sends one request and waits for its response, at most <paramref name="timeout"/> (what is left of
    /// the call's request timeout). The request buffer stays the caller's: once this returns or throws,
    /// nothing here reads it any more.
    /// </summary>
    public async Task<T> CallAsync<T>(TcpOperation operation, FrameBuffer request, Func<ReadOnlyMemory<byte>, T> decode, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ulong id = Interlocked.Increment(ref _nextRequestId);
        var pending = new PendingRequest<T>(decode);
        _pending[id] = pending;

        // The read loop may have failed between the caller's check and the insert above.
        if (Volatile.Read(ref _fault) is { } fault && _pending.TryRemove(id, out _)) throw fault;

        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (timeout != Timeout.InfiniteTimeSpan) timer.CancelAfter(timeout);
        using CancellationTokenRegistration registration = timer.Token.Register(() =>
        {
            if (_pending.TryRemove(id, out _)) pending.Cancel(timer.Token);
        });

        try
        {
            await WriteAsync(request.Complete(operation, id), timer.Token).ConfigureAwait(false);
            return await pending.Task.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && timer.IsCancellationRequested)
        {
            _pending.TryRemove(id, out _);
            throw new TimeoutException($"No response to {operation} within {_requestTimeout.TotalSeconds:0.###} s; its outcome is unknown: resubmit with the same ids.");
        }
        catch (OperationCanceledException)
        {
            _pending.TryRemove(id, out _);
            throw;
        }
    }

    /// <summary>
    /// Closes the connection once every request sent on it has its answer, or after <paramref name="grace"/>
    /// (then those still pending fail as on a lost connection): for a connection the client replaced while
    /// answers were still due on it, typically NotLeader refusals that their callers will follow.
    /// </summary>
    public async Task RetireAsync(TimeSpan grace)
    {
        long started = Stopwatch.GetTimestamp();
        while (!_pending.IsEmpty && IsOpen && Stopwatch.GetElapsedTime(started) < grace)
        {
            await Task.Delay(10).ConfigureAwait(false);
        }

        await DisposeAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        Fail(new LedgerTcpConnectionException($"The client closed its connection to {_endpoint}.", LedgerTcpErrorCode.None, null));
        await _readLoop.ConfigureAwait(false);

        // The socket is already closed; this releases the TLS state, if any.
        try
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // Nothing left to release.
        }
    }

    private async Task HandshakeAsync(string? token, bool overTls, CancellationToken cancellationToken)
    {
        using var request = new FrameBuffer(64);
        BodyCodec.WriteValue(request, token, BodyCodec.WriteHandshakeRequest);
        Frame? first;
        try
        {
            await _stream.WriteAsync(request.Complete(TcpOperation.Handshake, HandshakeRequestId), cancellationToken).ConfigureAwait(false);
            first = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (overTls && ex is IOException or AuthenticationException)
        {
            throw ClosedDuringHandshake(overTls, ex);
        }

        using Frame frame = first ?? throw ClosedDuringHandshake(overTls, null);
        if (frame.Header.Operation == TcpOperation.Error)
        {
            ErrorBody error = BodyCodec.ReadError(frame.Body);
            throw new LedgerTcpException(error.Code, error.Message);
        }

        if (frame.Header.Operation != TcpOperation.Handshake) throw new LedgerTcpException(LedgerTcpErrorCode.HandshakeRequired, $"Expected a handshake response, got operation {frame.Header.Operation}.");
        Handshake = BodyCodec.ReadHandshakeResponse(frame.Body);
    }

    /// <summary>
    /// With TLS 1.3 the client's side of the TLS handshake completes before the server has judged the
    /// client's certificate, so a refusal shows only now: as the connection closing, without an error frame.
    /// </summary>
    private LedgerTcpConnectionException ClosedDuringHandshake(bool overTls, Exception? cause) => new(
        overTls
            ? $"{_endpoint} closed the connection during the handshake without an error frame: over TLS this means the server refused the TLS handshake, typically the client certificate (missing, untrusted, expired or not pinned); the server's log says why."
            : $"{_endpoint} closed the connection during the handshake.",
        LedgerTcpErrorCode.None,
        cause);

    private async Task WriteAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Volatile.Read(ref _fault) is { } fault) throw fault;

            // Not cancellable once started: a frame cut in half would corrupt the stream for everyone.
            await _stream.WriteAsync(frame, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException && ex is not LedgerTcpConnectionException)
        {
            throw Fail(new LedgerTcpConnectionException($"Writing to {_endpoint} failed: the connection is lost and the outcome of requests in flight is unknown.", LedgerTcpErrorCode.None, ex));
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task ReadLoopAsync()
    {
        Exception? cause = null;
        try
        {
            while (true)
            {
                using Frame? frame = await _reader.ReadAsync(CancellationToken.None).ConfigureAwait(false);
                if (frame is null) break;
                Dispatch(frame);
            }
        }
#pragma warning disable CA1031 // Whatever ended the read loop is reported to every pending caller.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            cause = ex;
        }

        string reason = _closeReason == LedgerTcpErrorCode.None ? string.Empty : $" The server said {_closeReason}: {_closeMessage}";
        Fail(new LedgerTcpConnectionException(
            $"The connection to {_endpoint} was lost; the outcome of requests in flight is unknown: resubmit with the same ids (creation is idempotent).{reason}",
            _closeReason,
            cause));
    }

    private void Dispatch(Frame frame)
    {
        ulong id = frame.Header.RequestId;
        if (frame.Header.Operation == TcpOperation.Error)
        {
            ErrorBody error = BodyCodec.ReadError(frame.Body);
            if (_pending.TryRemove(id, out PendingRequest? failed)) failed.Fail(new LedgerTcpException(error.Code, error.Message, error.Leader));
            else
            {
                // Id 0 (or no longer pending): about the connection, which the server closes next.
                _closeReason = error.Code;
                _closeMessage = error.Message;
            }

            return;
        }

        if (_pending.TryRemove(id, out PendingRequest? pending)) pending.Complete(frame.Body);
    }

    /// <summary>Marks the connection failed (once), fails every pending request, and closes the socket.</summary>
    private LedgerTcpConnectionException Fail(LedgerTcpConnectionException fault)
    {
        LedgerTcpConnectionException first = Interlocked.CompareExchange(ref _fault, fault, null) ?? fault;
        _socket.Dispose();
        foreach (ulong id in _pending.Keys)
        {
            if (_pending.TryRemove(id, out PendingRequest? pending)) pending.Fail(first);
        }

        return first;
    }

    private static async ValueTask DisposeAsync(Socket socket, Stream? stream)
    {
        if (stream is not null) await stream.DisposeAsync().ConfigureAwait(false);
        socket.Dispose();
    }
}
