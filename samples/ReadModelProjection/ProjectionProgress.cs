namespace ReadModelProjection;

/// <summary>What one projection run did.</summary>
/// <param name="FromSequence">The first batch it read: one past the stored checkpoint.</param>
/// <param name="ThroughSequence">The checkpoint it left: every batch up to here is in the tables.</param>
/// <param name="Batches">Batches projected (one SQL transaction each).</param>
/// <param name="AccountsInserted">Account rows inserted.</param>
/// <param name="TransfersInserted">Transfer rows inserted.</param>
public readonly record struct ProjectionProgress(long FromSequence, long ThroughSequence, int Batches, int AccountsInserted, int TransfersInserted);
