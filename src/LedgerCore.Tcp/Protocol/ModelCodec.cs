using System.Buffers.Binary;
using MessagePack;

namespace LedgerCore.Tcp.Protocol;

/// <summary>
/// Hand-written MessagePack encoding of the model types (docs/protocol.md, "Bodies"): every record is
/// an array of its fields in declaration order; a <see cref="UInt128"/> is a bin of exactly 16 bytes,
/// little-endian (byte 0 least significant); integers use any MessagePack int encoding in range.
/// </summary>
/// <remarks>
/// Explicit code instead of attributes and the dynamic resolver: AOT-safe, faster, and the byte
/// layout is fixed here rather than by reflection. Readers are strict (exact array lengths, exact
/// bin sizes) so that a malformed body fails loudly instead of being half understood.
/// </remarks>
internal static class ModelCodec
{
    /// <summary>Fields in an encoded <see cref="Account"/> or <see cref="Transfer"/>.</summary>
    public const int EventFields = 13;

    /// <summary>Fields in an encoded <see cref="AccountFilter"/> or <see cref="QueryFilter"/>.</summary>
    public const int FilterFields = 9;

    /// <summary>Fields in an encoded <see cref="AccountBalance"/>.</summary>
    public const int BalanceFields = 5;

    /// <summary>The most bytes one encoded account or transfer takes (array header, 6 × bin16, 7 ints at their widest).</summary>
    public const int EventBytesMax = 1 + (6 * 18) + 9 + 5 + 5 + 5 + 3 + 3 + 9;

    /// <summary>Fields in an encoded <see cref="ChangeEvent"/>.</summary>
    public const int ChangeEventFields = 5;

    /// <summary>Fields in an encoded <see cref="ChangeEventsFilter"/>.</summary>
    public const int ChangeEventsFilterFields = 3;

    /// <summary>
    /// The most bytes one encoded change event takes: fixarray header, the type (0 to 4, a positive
    /// fixint), the timestamp at its widest, then a transfer and two accounts at theirs.
    /// </summary>
    public const int ChangeEventBytesMax = 1 + 1 + 9 + (3 * EventBytesMax);

    public static void Write(ref MessagePackWriter writer, UInt128 value)
    {
        writer.WriteBinHeader(16);
        BinaryPrimitives.WriteUInt128LittleEndian(writer.GetSpan(16), value);
        writer.Advance(16);
    }

    public static UInt128 ReadUInt128(ref SpanReader reader) => reader.ReadUInt128();

    public static void Write(ref MessagePackWriter writer, in Account account)
    {
        var span = new SpanWriter(writer.GetSpan(EventBytesMax));
        span.WriteFixArrayHeader(EventFields);
        span.Write(account.Id);
        span.Write(account.DebitsPending);
        span.Write(account.DebitsPosted);
        span.Write(account.CreditsPending);
        span.Write(account.CreditsPosted);
        span.Write(account.UserData128);
        span.Write(account.UserData64);
        span.Write(account.UserData32);
        span.Write(account.Reserved);
        span.Write(account.Ledger);
        span.Write(account.Code);
        span.Write((ushort)account.Flags);
        span.Write(account.Timestamp);
        writer.Advance(span.Written);
    }

    public static Account ReadAccount(ref SpanReader reader)
    {
        ExpectArray(ref reader, EventFields, nameof(Account));
        return new Account
        {
            Id = ReadUInt128(ref reader),
            DebitsPending = ReadUInt128(ref reader),
            DebitsPosted = ReadUInt128(ref reader),
            CreditsPending = ReadUInt128(ref reader),
            CreditsPosted = ReadUInt128(ref reader),
            UserData128 = ReadUInt128(ref reader),
            UserData64 = reader.ReadUInt64(),
            UserData32 = reader.ReadUInt32(),
            Reserved = reader.ReadUInt32(),
            Ledger = reader.ReadUInt32(),
            Code = reader.ReadUInt16(),
            Flags = (AccountFlags)reader.ReadUInt16(),
            Timestamp = reader.ReadUInt64(),
        };
    }

    public static void Write(ref MessagePackWriter writer, in Transfer transfer)
    {
        var span = new SpanWriter(writer.GetSpan(EventBytesMax));
        span.WriteFixArrayHeader(EventFields);
        span.Write(transfer.Id);
        span.Write(transfer.DebitAccountId);
        span.Write(transfer.CreditAccountId);
        span.Write(transfer.Amount);
        span.Write(transfer.PendingId);
        span.Write(transfer.UserData128);
        span.Write(transfer.UserData64);
        span.Write(transfer.UserData32);
        span.Write(transfer.Timeout);
        span.Write(transfer.Ledger);
        span.Write(transfer.Code);
        span.Write((ushort)transfer.Flags);
        span.Write(transfer.Timestamp);
        writer.Advance(span.Written);
    }

    public static Transfer ReadTransfer(ref SpanReader reader)
    {
        ExpectArray(ref reader, EventFields, nameof(Transfer));
        return new Transfer
        {
            Id = ReadUInt128(ref reader),
            DebitAccountId = ReadUInt128(ref reader),
            CreditAccountId = ReadUInt128(ref reader),
            Amount = ReadUInt128(ref reader),
            PendingId = ReadUInt128(ref reader),
            UserData128 = ReadUInt128(ref reader),
            UserData64 = reader.ReadUInt64(),
            UserData32 = reader.ReadUInt32(),
            Timeout = reader.ReadUInt32(),
            Ledger = reader.ReadUInt32(),
            Code = reader.ReadUInt16(),
            Flags = (TransferFlags)reader.ReadUInt16(),
            Timestamp = reader.ReadUInt64(),
        };
    }

    public static void Write(ref MessagePackWriter writer, in AccountFilter filter)
    {
        writer.WriteArrayHeader(FilterFields);
        Write(ref writer, filter.AccountId);
        Write(ref writer, filter.UserData128);
        writer.Write(filter.UserData64);
        writer.Write(filter.UserData32);
        writer.Write(filter.Code);
        writer.Write(filter.TimestampMin);
        writer.Write(filter.TimestampMax);
        writer.Write(filter.Limit);
        writer.Write((uint)filter.Flags);
    }

    public static AccountFilter ReadAccountFilter(ref SpanReader reader)
    {
        ExpectArray(ref reader, FilterFields, nameof(AccountFilter));
        return new AccountFilter
        {
            AccountId = ReadUInt128(ref reader),
            UserData128 = ReadUInt128(ref reader),
            UserData64 = reader.ReadUInt64(),
            UserData32 = reader.ReadUInt32(),
            Code = reader.ReadUInt16(),
            TimestampMin = reader.ReadUInt64(),
            TimestampMax = reader.ReadUInt64(),
            Limit = reader.ReadUInt32(),
            Flags = (AccountFilterFlags)reader.ReadUInt32(),
        };
    }

    public static void Write(ref MessagePackWriter writer, in QueryFilter filter)
    {
        writer.WriteArrayHeader(FilterFields);
        Write(ref writer, filter.UserData128);
        writer.Write(filter.UserData64);
        writer.Write(filter.UserData32);
        writer.Write(filter.Ledger);
        writer.Write(filter.Code);
        writer.Write(filter.TimestampMin);
        writer.Write(filter.TimestampMax);
        writer.Write(filter.Limit);
        writer.Write((uint)filter.Flags);
    }

    public static QueryFilter ReadQueryFilter(ref SpanReader reader)
    {
        ExpectArray(ref reader, FilterFields, nameof(QueryFilter));
        return new QueryFilter
        {
            UserData128 = ReadUInt128(ref reader),
            UserData64 = reader.ReadUInt64(),
            UserData32 = reader.ReadUInt32(),
            Ledger = reader.ReadUInt32(),
            Code = reader.ReadUInt16(),
            TimestampMin = reader.ReadUInt64(),
            TimestampMax = reader.ReadUInt64(),
            Limit = reader.ReadUInt32(),
            Flags = (QueryFilterFlags)reader.ReadUInt32(),
        };
    }

    public static void Write(ref MessagePackWriter writer, in AccountBalance balance)
    {
        writer.WriteArrayHeader(BalanceFields);
        Write(ref writer, balance.DebitsPending);
        Write(ref writer, balance.DebitsPosted);
        Write(ref writer, balance.CreditsPending);
        Write(ref writer, balance.CreditsPosted);
        writer.Write(balance.Timestamp);
    }

    public static AccountBalance ReadAccountBalance(ref SpanReader reader)
    {
        ExpectArray(ref reader, BalanceFields, nameof(AccountBalance));
        return new AccountBalance(
            ReadUInt128(ref reader),
            ReadUInt128(ref reader),
            ReadUInt128(ref reader),
            ReadUInt128(ref reader),
            reader.ReadUInt64());
    }

    public static void Write(ref MessagePackWriter writer, in ChangeEventsFilter filter)
    {
        writer.WriteArrayHeader(ChangeEventsFilterFields);
        writer.Write(filter.TimestampMin);
        writer.Write(filter.TimestampMax);
        writer.Write(filter.Limit);
    }

    public static ChangeEventsFilter ReadChangeEventsFilter(ref SpanReader reader)
    {
        ExpectArray(ref reader, ChangeEventsFilterFields, nameof(ChangeEventsFilter));
        return new ChangeEventsFilter(reader.ReadUInt64(), reader.ReadUInt64(), reader.ReadUInt32());
    }

    /// <summary>Writes <c>[type, timestamp, transfer, debit_account, credit_account]</c>, the records nested whole.</summary>
    public static void Write(ref MessagePackWriter writer, in ChangeEvent change)
    {
        var span = new SpanWriter(writer.GetSpan(1 + 1 + 9));
        span.WriteFixArrayHeader(ChangeEventFields);
        span.Write((ulong)change.Type);
        span.Write(change.Timestamp);
        writer.Advance(span.Written);
        Write(ref writer, change.Transfer);
        Write(ref writer, change.DebitAccount);
        Write(ref writer, change.CreditAccount);
    }

    /// <summary>Reads a change event; a type this code does not know is kept as its number (a newer server may add types).</summary>
    public static ChangeEvent ReadChangeEvent(ref SpanReader reader)
    {
        ExpectArray(ref reader, ChangeEventFields, nameof(ChangeEvent));
        ulong type = reader.ReadUInt64();
        if (type > byte.MaxValue) throw new MessagePackSerializationException($"A change event type is a u8, not {type}.");
        return new ChangeEvent((ChangeEventType)type, reader.ReadUInt64(), ReadTransfer(ref reader), ReadAccount(ref reader), ReadAccount(ref reader));
    }

    /// <summary>Writes a create failure as <c>[index, result]</c>.</summary>
    public static void WriteFailure(ref MessagePackWriter writer, int index, uint result)
    {
        writer.WriteArrayHeader(2);
        writer.Write(index);
        writer.Write(result);
    }

    /// <summary>Reads a create failure written by <see cref="WriteFailure"/>.</summary>
    public static (int Index, uint Result) ReadFailure(ref SpanReader reader)
    {
        ExpectArray(ref reader, 2, "create result");
        return (reader.ReadInt32(), reader.ReadUInt32());
    }

    public static void ExpectArray(ref SpanReader reader, int length, string what)
    {
        int actual = reader.ReadArrayHeader();
        if (actual != length) throw new MessagePackSerializationException($"A {what} is an array of {length} elements, not {actual}.");
    }
}
