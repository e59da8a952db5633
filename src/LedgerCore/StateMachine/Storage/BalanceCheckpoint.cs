using System.Runtime.InteropServices;

namespace LedgerCore.StateMachine.Storage;

/// <summary>
/// An account's balances and Closed flag right after one of its change events (see
/// <see cref="AccountLog"/>): the first <see cref="LogCount"/> entries of its transfer log and the
/// first <see cref="ExpiryCount"/> of its expiries applied, nothing else. 72 bytes: the Closed flag
/// (the only flag that changes) rides in the top bit of the expiry count. The other flags are the
/// account's own, which never change.
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 8)]
internal readonly struct BalanceCheckpoint
{
    public readonly UInt128 DebitsPending;
    public readonly UInt128 DebitsPosted;
    public readonly UInt128 CreditsPending;
    public readonly UInt128 CreditsPosted;
    public readonly int LogCount;
    private readonly uint _expiryCountAndClosed;

    public BalanceCheckpoint(in Account account, int logCount, int expiryCount)
    {
        DebitsPending = account.DebitsPending;
        DebitsPosted = account.DebitsPosted;
        CreditsPending = account.CreditsPending;
        CreditsPosted = account.CreditsPosted;
        LogCount = logCount;
        _expiryCountAndClosed = (uint)expiryCount | ((account.Flags & AccountFlags.Closed) != 0 ? 1u << 31 : 0);
    }

    public int ExpiryCount => (int)(_expiryCountAndClosed & int.MaxValue);

    /// <summary>Change events of the account up to and including this one.</summary>
    public int EventCount => LogCount + ExpiryCount;

    /// <summary>The account as it stood then: its fixed fields from <paramref name="current"/>.</summary>
    public Account Apply(in Account current) => current with
    {
        DebitsPending = DebitsPending,
        DebitsPosted = DebitsPosted,
        CreditsPending = CreditsPending,
        CreditsPosted = CreditsPosted,
        Flags = (_expiryCountAndClosed >> 31) != 0 ? current.Flags | AccountFlags.Closed : current.Flags & ~AccountFlags.Closed,
    };
}
