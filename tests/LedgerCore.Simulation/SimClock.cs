namespace LedgerCore.Simulation;

/// <summary>
/// The simulated wall clock the engine's sequencer reads (its only clock reader). The simulator moves
/// it, forwards and sometimes backwards, so a run does not depend on real time and clock steps are tested.
/// </summary>
internal sealed class SimClock(DateTimeOffset start) : TimeProvider
{
    private long _ticks = start.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    /// <summary>Moves the clock by <paramref name="delta"/>, which may be negative (an NTP step back).</summary>
    public void Advance(TimeSpan delta) => Interlocked.Add(ref _ticks, delta.Ticks);
}
