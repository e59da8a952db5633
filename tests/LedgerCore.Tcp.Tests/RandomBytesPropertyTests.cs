using FsCheck;
using FsCheck.Fluent;
using LedgerCore.Tcp.Protocol;
using NUnit.Framework;

namespace LedgerCore.Tcp.Tests;

/// <summary>
/// 10,000 random byte strings thrown at one server — as raw streams and as bodies of well-framed
/// requests — while a well-behaved client keeps working. The server must answer every framed request
/// (a response or an error frame with its id), close raw garbage with at most an error frame, and
/// lose none of the well-behaved client's acknowledged transfers.
/// </summary>
public sealed class RandomBytesPropertyTests
{
    private const int Cases = 100;
    private const int StringsPerCase = 100;
    private const int RawPerCase = 10;

    private static readonly TcpOperation[] Operations =
    [
        TcpOperation.Handshake, TcpOperation.Ping, TcpOperation.CreateAccounts, TcpOperation.CreateTransfers,
        TcpOperation.LookupAccounts, TcpOperation.LookupTransfers, TcpOperation.GetAccountTransfers,
        TcpOperation.GetAccountBalances, TcpOperation.QueryAccounts, TcpOperation.QueryTransfers, TcpOperation.GetChangeEvents,
        TcpOperation.Error, (TcpOperation)0x00, (TcpOperation)0x42,
    ];

    [Test]
    public async Task Server_survives_10000_random_byte_strings_and_loses_nothing_acknowledged()
    {
        await using TestLedger ledger = await TestLedger.StartAsync(o => o.IdleTimeout = TimeSpan.FromSeconds(10));
        using WellBehavedClient good = await WellBehavedClient.StartAsync(ledger, firstId: 1);

        // Half pure noise, half noise behind a valid magic and version, so the length and body paths are reached too.
        Gen<byte[]> noise = Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b)).Resize(64);
        Gen<byte[]> string1 = Gen.OneOf(noise, noise.Select(b => (byte[])[(byte)'L', (byte)'C', FrameHeader.Version, .. b]));
        Arbitrary<byte[][]> strings = Gen.ArrayOf(string1, StringsPerCase).ToArbitrary();

        int checkedStrings = 0;
        Prop.ForAll(strings, batch =>
        {
            bool ok = CheckCaseAsync(ledger.Port, batch).GetAwaiter().GetResult();
            Interlocked.Add(ref checkedStrings, batch.Length);
            return ok;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(Cases));

        Assert.That(checkedStrings, Is.GreaterThanOrEqualTo(Cases * StringsPerCase));
        Assert.That(await good.StopAsync(), Is.Null);
        Assert.That(good.Acknowledged, Is.GreaterThan(0));
        await using LedgerTcpClient after = await ledger.ConnectAsync();
        Assert.That(await after.PingAsync(), Is.GreaterThan(TimeSpan.Zero));
    }

    private static async Task<bool> CheckCaseAsync(int port, byte[][] batch)
    {
        bool[] raw = await Task.WhenAll(batch.Take(RawPerCase).Select((bytes, i) => RawStringIsClosedAsync(port, bytes, handshake: i % 2 == 0)));
        return raw.All(r => r) && await FramedStringsAreAllAnsweredAsync(port, batch.Skip(RawPerCase).ToArray());
    }

    /// <summary>Raw bytes on their own connection: the server answers with frames (errors, or nothing) and closes once we stop sending.</summary>
    private static async Task<bool> RawStringIsClosedAsync(int port, byte[] bytes, bool handshake)
    {
        await using RawConnection connection = await RawConnection.ConnectAsync(port, handshake);
        await connection.SendBytesAsync(bytes);
        connection.ShutdownSend();
        while (true)
        {
            try
            {
                (FrameHeader header, _) = await connection.ReadAsync(TimeSpan.FromSeconds(10));
                if (header.Operation != TcpOperation.Error && header.Operation != TcpOperation.Handshake) return false;
            }
            catch (Exception ex) when (ex is EndOfStreamException or IOException)
            {
                return true;
            }
            catch (OperationCanceledException)
            {
                return false; // the server neither answered nor closed
            }
        }
    }

    /// <summary>Random bodies in well-formed frames, pipelined on one connection: every id gets an answer and the connection stays usable.</summary>
    private static async Task<bool> FramedStringsAreAllAnsweredAsync(int port, byte[][] bodies)
    {
        await using RawConnection connection = await RawConnection.ConnectAsync(port);
        for (int i = 0; i < bodies.Length; i++)
        {
            TcpOperation operation = Operations[(bodies[i].Length + i) % Operations.Length];
            await connection.SendRawBodyAsync(operation, (ulong)(i + 1), bodies[i]);
        }

        var answered = new HashSet<ulong>();
        for (int i = 0; i < bodies.Length; i++)
        {
            (FrameHeader header, _) = await connection.ReadAsync(TimeSpan.FromSeconds(10));
            if (!answered.Add(header.RequestId)) return false;
        }

        if (!answered.SetEquals(Enumerable.Range(1, bodies.Length).Select(i => (ulong)i))) return false;
        await connection.SendAsync(TcpOperation.Ping, 999, (ref MessagePack.MessagePackWriter w) => w.Write(5UL));
        (FrameHeader ping, _) = await connection.ReadAsync();
        return ping.Operation == TcpOperation.Ping && ping.RequestId == 999;
    }
}
