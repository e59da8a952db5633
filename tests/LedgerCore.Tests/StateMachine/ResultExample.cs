using NUnit.Framework;

namespace LedgerCore.Tests.StateMachine;

/// <summary>
/// One example of a result code: <see cref="Run"/> builds a fresh ledger, applies the events that
/// provoke <see cref="Code"/> and returns the code the ledger actually answered. The example tests
/// assert the two are equal; <see cref="ResultCoverageTests"/> runs them all and checks that the
/// codes actually answered cover every enum value.
/// </summary>
internal sealed record ResultExample<TCode>(TCode Code, Func<TCode> Run, string? Variant = null)
    where TCode : struct, Enum
{
    /// <summary>The NUnit test case, named <c>{prefix}_{Code}</c> (plus <c>_{Variant}</c>).</summary>
    public TestCaseData ToTestCase(string prefix) =>
        new TestCaseData(Code, Run).SetName(Variant is null ? $"{prefix}_{Code}" : $"{prefix}_{Code}_{Variant}");
}
