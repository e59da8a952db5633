namespace LedgerCore.Tests.Properties;

/// <summary>A generated <see cref="QueryFilter"/>; timestamp bounds as in <see cref="AccountFilterSpec"/>.</summary>
/// <param name="UserData128">Filter value (0 = any).</param>
/// <param name="UserData64">Filter value (0 = any).</param>
/// <param name="UserData32">Filter value (0 = any).</param>
/// <param name="Ledger">Filter value (0 = any).</param>
/// <param name="Code">Filter value (0 = any).</param>
/// <param name="MinPick">Negative: no lower bound; else the (n mod count)-th stored timestamp.</param>
/// <param name="MinNudge">Added to the picked lower bound.</param>
/// <param name="MaxPick">Negative: no upper bound; else the (n mod count)-th stored timestamp.</param>
/// <param name="MaxNudge">Added to the picked upper bound.</param>
/// <param name="Limit">The limit (0 is invalid).</param>
/// <param name="Flags">The flags (an undefined bit is invalid).</param>
public sealed record QueryFilterSpec(
    int UserData128,
    int UserData64,
    int UserData32,
    uint Ledger,
    ushort Code,
    int MinPick,
    int MinNudge,
    int MaxPick,
    int MaxNudge,
    uint Limit,
    QueryFilterFlags Flags);
