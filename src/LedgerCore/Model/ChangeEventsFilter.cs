namespace LedgerCore;

/// <summary>
/// Selects change events (<see cref="LedgerStateMachine.GetChangeEvents"/>) by an inclusive timestamp
/// range, always in ascending timestamp order, as the reference's <c>ChangeEventsFilter</c>. A zero bound
/// is unbounded. Invalid (the result is empty): a zero <see cref="Limit"/>, a bound above 2^63 - 1, or
/// <see cref="TimestampMin"/> greater than a non-zero <see cref="TimestampMax"/>.
/// </summary>
/// <remarks>To page, ask again with <see cref="TimestampMin"/> one past the last event's timestamp.</remarks>
/// <param name="TimestampMin">Inclusive lower bound (0 = from the first event).</param>
/// <param name="TimestampMax">Inclusive upper bound (0 = up to the last event).</param>
/// <param name="Limit">Most events to return; not zero; capped at <see cref="LedgerStateMachine.ChangeEventsMax"/>.</param>
public readonly record struct ChangeEventsFilter(ulong TimestampMin, ulong TimestampMax, uint Limit);
