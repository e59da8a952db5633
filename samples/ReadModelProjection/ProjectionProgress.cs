namespace ReadModelProjection;

/// <summary>What one projection run did, on each of its two feeds.</summary>
/// <param name="FromSequence">The first committed batch it read for account creations: one past the stored checkpoint.</param>
/// <param name="ThroughSequence">The batch checkpoint it left: every account created up to here has its row.</param>
/// <param name="Batches">Committed batches read (one SQL transaction each).</param>
/// <param name="FromTimestamp">The change events it asked for start here: one past the stored event checkpoint.</param>
/// <param name="ThroughTimestamp">The event checkpoint it left: the timestamp of the last change event applied.</param>
/// <param name="Events">Change events applied.</param>
public readonly record struct ProjectionProgress(long FromSequence, long ThroughSequence, int Batches, ulong FromTimestamp, ulong ThroughTimestamp, int Events);
