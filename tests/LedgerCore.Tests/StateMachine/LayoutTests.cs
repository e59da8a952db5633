using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using NUnit.Framework;

namespace LedgerCore.Tests.StateMachine;

/// <summary>
/// The model types are the reference's 128-byte records, field for field (reference: account.md,
/// transfer.md, src/tigerbeetle.zig), with the reference's flag bits and result values.
/// </summary>
public class LayoutTests
{
    [Test]
    public void Account_and_Transfer_are_128_bytes()
    {
        Assert.That(Unsafe.SizeOf<Account>(), Is.EqualTo(128));
        Assert.That(Unsafe.SizeOf<Transfer>(), Is.EqualTo(128));
        Assert.That(Marshal.SizeOf<Account>(), Is.EqualTo(128));
        Assert.That(Marshal.SizeOf<Transfer>(), Is.EqualTo(128));
    }

    // Each field is set alone to a value with every byte non-zero; the bytes must land exactly at
    // [offset, offset + size) and nowhere else.
    [TestCase("Id", 0, 16)]
    [TestCase("DebitsPending", 16, 16)]
    [TestCase("DebitsPosted", 32, 16)]
    [TestCase("CreditsPending", 48, 16)]
    [TestCase("CreditsPosted", 64, 16)]
    [TestCase("UserData128", 80, 16)]
    [TestCase("UserData64", 96, 8)]
    [TestCase("UserData32", 104, 4)]
    [TestCase("Reserved", 108, 4)]
    [TestCase("Ledger", 112, 4)]
    [TestCase("Code", 116, 2)]
    [TestCase("Flags", 118, 2)]
    [TestCase("Timestamp", 120, 8)]
    public void Account_field_offsets(string field, int offset, int size)
    {
        var account = new Account();
        object boxed = account;
        typeof(Account).GetProperty(field)!.SetValue(boxed, Pattern(typeof(Account).GetProperty(field)!.PropertyType));
        account = (Account)boxed;
        AssertOnlyBytes(MemoryMarshal.AsBytes(new ReadOnlySpan<Account>(in account)), offset, size);
    }

    [TestCase("Id", 0, 16)]
    [TestCase("DebitAccountId", 16, 16)]
    [TestCase("CreditAccountId", 32, 16)]
    [TestCase("Amount", 48, 16)]
    [TestCase("PendingId", 64, 16)]
    [TestCase("UserData128", 80, 16)]
    [TestCase("UserData64", 96, 8)]
    [TestCase("UserData32", 104, 4)]
    [TestCase("Timeout", 108, 4)]
    [TestCase("Ledger", 112, 4)]
    [TestCase("Code", 116, 2)]
    [TestCase("Flags", 118, 2)]
    [TestCase("Timestamp", 120, 8)]
    public void Transfer_field_offsets(string field, int offset, int size)
    {
        var transfer = new Transfer();
        object boxed = transfer;
        typeof(Transfer).GetProperty(field)!.SetValue(boxed, Pattern(typeof(Transfer).GetProperty(field)!.PropertyType));
        transfer = (Transfer)boxed;
        AssertOnlyBytes(MemoryMarshal.AsBytes(new ReadOnlySpan<Transfer>(in transfer)), offset, size);
    }

    [Test]
    public void Fields_are_little_endian()
    {
        var transfer = new Transfer { Amount = 0x0102, Code = 0x0304 };
        var bytes = MemoryMarshal.AsBytes(new ReadOnlySpan<Transfer>(in transfer));
        Assert.That(new[] { bytes[48], bytes[49], bytes[116], bytes[117] }, Is.EqualTo(new byte[] { 0x02, 0x01, 0x04, 0x03 }));
    }

    [Test]
    public void Flag_bits()
    {
        Assert.That(new[] { AccountFlags.Linked, AccountFlags.DebitsMustNotExceedCredits, AccountFlags.CreditsMustNotExceedDebits,
            AccountFlags.History, AccountFlags.Imported, AccountFlags.Closed }.Select(f => (int)f), Is.EqualTo(new[] { 1, 2, 4, 8, 16, 32 }));
        Assert.That(new[] { TransferFlags.Linked, TransferFlags.Pending, TransferFlags.PostPendingTransfer, TransferFlags.VoidPendingTransfer,
            TransferFlags.BalancingDebit, TransferFlags.BalancingCredit, TransferFlags.ClosingDebit, TransferFlags.ClosingCredit,
            TransferFlags.Imported }.Select(f => (int)f), Is.EqualTo(new[] { 1, 2, 4, 8, 16, 32, 64, 128, 256 }));
        Assert.That(new[] { AccountFilterFlags.Debits, AccountFilterFlags.Credits, AccountFilterFlags.Reversed }.Select(f => (int)f),
            Is.EqualTo(new[] { 1, 2, 4 }));
        Assert.That((int)QueryFilterFlags.Reversed, Is.EqualTo(1));
        Assert.That(Unsafe.SizeOf<AccountFlags>(), Is.EqualTo(2));
        Assert.That(Unsafe.SizeOf<TransferFlags>(), Is.EqualTo(2));
    }

    [TestCase(CreateAccountResult.Ok, 0u)]
    [TestCase(CreateAccountResult.LinkedEventFailed, 1u)]
    [TestCase(CreateAccountResult.TimestampMustBeZero, 3u)]
    [TestCase(CreateAccountResult.ReservedField, 4u)]
    [TestCase(CreateAccountResult.FlagsAreMutuallyExclusive, 8u)]
    [TestCase(CreateAccountResult.CodeMustNotBeZero, 14u)]
    [TestCase(CreateAccountResult.ExistsWithDifferentFlags, 15u)]
    [TestCase(CreateAccountResult.Exists, 21u)]
    [TestCase(CreateAccountResult.ImportedEventExpected, 22u)]
    [TestCase(CreateAccountResult.ImportedEventTimestampMustNotRegress, 26u)]
    public void Account_result_values(CreateAccountResult result, uint value)
    {
        Assert.That((uint)result, Is.EqualTo(value));
    }

    [TestCase(CreateTransferResult.Ok, 0u)]
    [TestCase(CreateTransferResult.LinkedEventChainOpen, 2u)]
    [TestCase(CreateTransferResult.ReservedFlag, 4u)]
    [TestCase(CreateTransferResult.FlagsAreMutuallyExclusive, 7u)]
    [TestCase(CreateTransferResult.TimeoutReservedForPendingTransfer, 17u)]
    [TestCase(CreateTransferResult.LedgerMustNotBeZero, 19u)]
    [TestCase(CreateTransferResult.PendingTransferExpired, 35u)]
    [TestCase(CreateTransferResult.ExistsWithDifferentFlags, 36u)]
    [TestCase(CreateTransferResult.ExistsWithDifferentPendingId, 40u)]
    [TestCase(CreateTransferResult.ExistsWithDifferentTimeout, 44u)]
    [TestCase(CreateTransferResult.Exists, 46u)]
    [TestCase(CreateTransferResult.OverflowsTimeout, 53u)]
    [TestCase(CreateTransferResult.ExceedsDebits, 55u)]
    [TestCase(CreateTransferResult.ImportedEventExpected, 56u)]
    [TestCase(CreateTransferResult.ImportedEventTimeoutMustBeZero, 63u)]
    [TestCase(CreateTransferResult.ClosingTransferMustBePending, 64u)]
    [TestCase(CreateTransferResult.CreditAccountAlreadyClosed, 66u)]
    [TestCase(CreateTransferResult.ExistsWithDifferentLedger, 67u)]
    [TestCase(CreateTransferResult.IdAlreadyFailed, 68u)]
    public void Transfer_result_values(CreateTransferResult result, uint value)
    {
        Assert.That((uint)result, Is.EqualTo(value));
    }

    [Test]
    public void Enum_declaration_order_is_the_reference_precedence()
    {
        // Declaration order is the precedence order (reference doc); reflection returns fields in it.
        var transfer = typeof(CreateTransferResult).GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            .Select(f => f.Name).ToArray();
        Assert.That(transfer.Take(12), Is.EqualTo(new[]
        {
            "Ok", "LinkedEventFailed", "LinkedEventChainOpen", "ImportedEventExpected", "ImportedEventNotExpected",
            "TimestampMustBeZero", "ImportedEventTimestampOutOfRange", "ImportedEventTimestampMustNotAdvance",
            "ReservedFlag", "IdMustNotBeZero", "IdMustNotBeIntMax", "ExistsWithDifferentFlags",
        }));
        Assert.That(transfer.TakeLast(4), Is.EqualTo(new[] { "OverflowsCredits", "OverflowsTimeout", "ExceedsCredits", "ExceedsDebits" }));
        var account = typeof(CreateAccountResult).GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            .Select(f => f.Name).ToArray();
        Assert.That(account[^1], Is.EqualTo("ImportedEventTimestampMustNotRegress"));
        Assert.That(Array.IndexOf(account, "Exists"), Is.LessThan(Array.IndexOf(account, "FlagsAreMutuallyExclusive")));
    }

    private static object Pattern(Type type) => type switch
    {
        _ when type == typeof(UInt128) => new UInt128(0x1112131415161718, 0x191A1B1C1D1E1F20),
        _ when type == typeof(ulong) => 0x2122232425262728UL,
        _ when type == typeof(uint) => 0x31323334u,
        _ when type == typeof(ushort) => (ushort)0x4142,
        _ when type == typeof(AccountFlags) => (AccountFlags)0x4344,
        _ when type == typeof(TransferFlags) => (TransferFlags)0x4546,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    private static void AssertOnlyBytes(ReadOnlySpan<byte> bytes, int offset, int size)
    {
        var nonZero = new List<int>();
        for (int i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] != 0) nonZero.Add(i);
        }

        Assert.That(nonZero, Is.EqualTo(Enumerable.Range(offset, size)));
    }
}
