namespace LedgerCore.Tests.Properties;

/// <summary>
/// A generated <see cref="AccountFilter"/>, with its timestamp bounds picked among the timestamps the
/// state actually holds (so ranges select something) and nudged by -1, 0 or +1 to hit the edges.
/// </summary>
/// <param name="AccountId">The account (0 and unknown ids included).</param>
/// <param name="UserData128">Filter value (0 = any).</param>
/// <param name="UserData64">Filter value (0 = any).</param>
/// <param name="UserData32">Filter value (0 = any).</param>
/// <param name="Code">Filter value (0 = any).</param>
/// <param name="MinPick">Negative: no lower bound; else the (n mod count)-th stored transfer timestamp.</param>
/// <param name="MinNudge">Added to the picked lower bound.</param>
/// <param name="MaxPick">Negative: no upper bound; else the (n mod count)-th stored transfer timestamp.</param>
/// <param name="MaxNudge">Added to the picked upper bound.</param>
/// <param name="Limit">The limit (0 is invalid).</param>
/// <param name="Flags">The flags (no Debits/Credits, or an undefined bit, is invalid).</param>
public sealed record AccountFilterSpec(
    int AccountId,
    int UserData128,
    int UserData64,
    int UserData32,
    ushort Code,
    int MinPick,
    int MinNudge,
    int MaxPick,
    int MaxNudge,
    uint Limit,
    AccountFilterFlags Flags);
