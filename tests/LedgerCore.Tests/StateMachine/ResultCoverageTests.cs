using NUnit.Framework;

namespace LedgerCore.Tests.StateMachine;

/// <summary>
/// Every result code has an example: the codes the example scenarios actually produce (not the codes
/// they claim) must be exactly the enum's values minus the documented unreachable ones. Adding a code
/// to an enum without an example fails here.
/// </summary>
public class ResultCoverageTests
{
    /// <summary>
    /// Account codes that can never be produced. None: every value of the enum is reachable (the
    /// reference's retired/deprecated statuses, "deprecated_ok"/"created", are not part of our enum;
    /// success is <see cref="CreateAccountResult.Ok"/>, produced by an empty failure list).
    /// </summary>
    private static readonly CreateAccountResult[] UnreachableAccountResults = [];

    /// <summary>
    /// Transfer codes that can never be produced. None in the enum: the reference's only retired
    /// transfer status, value 18 ("amount must not be zero"), is not an enum member at all because zero
    /// amounts are allowed (see <see cref="Retired_values_are_not_enum_members"/>).
    /// </summary>
    private static readonly CreateTransferResult[] UnreachableTransferResults = [];

    [Test]
    public void Every_CreateAccountResult_is_produced_by_an_example()
    {
        var produced = AccountResultExamples.Examples().Select(e => e.Run()).ToHashSet();
        var expected = Enum.GetValues<CreateAccountResult>().Except(UnreachableAccountResults).ToHashSet();
        Assert.That(produced, Is.EquivalentTo(expected));
    }

    [Test]
    public void Every_CreateTransferResult_is_produced_by_an_example()
    {
        var produced = TransferExamples().Select(e => e.Run()).ToHashSet();
        var expected = Enum.GetValues<CreateTransferResult>().Except(UnreachableTransferResults).ToHashSet();
        Assert.That(produced, Is.EquivalentTo(expected));
    }

    [Test]
    public void Retired_values_are_not_enum_members()
    {
        // Value 18 was the reference's "amount must not be zero", retired when zero amounts became
        // legal: it must never be given a new meaning, and never be produced.
        Assert.That(Enum.IsDefined((CreateTransferResult)18), Is.False);
        Assert.That(Enum.GetValues<CreateTransferResult>().Select(v => (uint)v).Max(), Is.EqualTo(68u));
        Assert.That(Enum.GetValues<CreateTransferResult>(), Has.Length.EqualTo(68)); // 0..68 without 18
        Assert.That(Enum.GetValues<CreateAccountResult>().Select(v => (uint)v).Order(), Is.EqualTo(Enumerable.Range(0, 27).Select(v => (uint)v)));
    }

    private static IEnumerable<ResultExample<CreateTransferResult>> TransferExamples() =>
        TransferResultFieldExamples.Examples()
            .Concat(TransferResultExistsExamples.Examples())
            .Concat(TransferResultAccountExamples.Examples())
            .Concat(TransferResultTwoPhaseExamples.Examples())
            .Concat(TransferResultImportedExamples.Examples());
}
