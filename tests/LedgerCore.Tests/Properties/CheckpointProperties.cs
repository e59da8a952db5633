using FsCheck;
using FsCheck.Fluent;
using LedgerCore.Journal;
using LedgerCore.StateMachine.Storage;
using LedgerCore.Tests.Engine;
using LedgerCore.Tests.Faults;
using NUnit.Framework;

namespace LedgerCore.Tests.Properties;

/// <summary>
/// Reads from the store files equal a machine in memory across a checkpoint and a crash: generated
/// workloads (linked chains, two-phase with timeouts, balancing, closing, history) are applied to a
/// machine with its stores in files; a checkpoint is taken after a generated batch and written a few
/// batches later; the machine goes on (so the files and the id index's copy hold batches after the
/// checkpoint) and is then dropped as a crash would; a machine reopened from the checkpoint replays the batches after it. Every result, the
/// digest, every transfer and the change events must equal the in-memory machine's.
/// </summary>
public class CheckpointProperties
{
    [Test]
    public void A_machine_reopened_from_a_checkpoint_and_replayed_equals_one_that_never_stopped() =>
        LedgerHarness.Check(
            Arb.From(from workload in LedgerGenerators.Workloads().Generator
                     from split in Gen.Choose(0, 1_000)
                     from more in Gen.Choose(0, 1_000)
                     from table in Gen.Elements(1, 3, 2_000_000)
                     select (workload, split, more, table)),
            c =>
            {
                IReadOnlyList<LedgerBatch> batches = WorkloadBuilder.Build(c.workload);
                int checkpointAfter = c.split % (batches.Count + 1); // batches applied before the checkpoint
                int crashAfter = checkpointAfter + (c.more % (batches.Count - checkpointAfter + 1));
                using var dir = new TempDirectory();
                string store = dir.File("store");
                var storage = new FaultyStorage();
                var memory = new LedgerStateMachine();
                var results = new List<uint[]>();
                foreach (LedgerBatch batch in batches) results.Add(LedgerHarness.Apply(memory, batch));

                // Id tables of 1 or 3 entries freeze into a run at nearly every batch boundary, and the runs
                // merge level by level; 2M (the default): the checkpoint's own run is the only one.
                StorePages pages = StorePages.InFiles(store, 1, idTableEntries: c.table);
                var running = new LedgerStateMachine(pages);
                for (int i = 0; i < checkpointAfter; i++) LedgerHarness.Apply(running, batches[i]);

                // Taken at the batch boundary, written later: the writer copies the id index's tables while
                // the processor has gone on (as the engine's writer does), then more batches, then lost.
                SnapshotImage image = running.CaptureImage(checkpoint: true);
                int writtenAfter = checkpointAfter + ((crashAfter - checkpointAfter) / 2);
                for (int i = checkpointAfter; i < writtenAfter; i++) LedgerHarness.Apply(running, batches[i]);
                SnapshotFile.Write(storage, 1, checkpointAfter + 1, 1, image);
                for (int i = writtenAfter; i < crashAfter; i++) LedgerHarness.Apply(running, batches[i]);
                running.WaitForIdRuns(); // a crash stops a process's background writes; this machine's go on, so let them end
                pages.Dispose(); // the crash: what was written stays in the files

                LedgerStateMachine reopened = SnapshotFile.Read(storage, SnapshotFile.Name(checkpointAfter + 1), 1,
                    store: resume => StorePages.InFiles(store, 1, resume, c.table)).Machine;
                try
                {
                    for (int i = checkpointAfter; i < batches.Count; i++)
                    {
                        PropertyFailedException.Unless(LedgerHarness.Apply(reopened, batches[i]).SequenceEqual(results[i]), () => $"batch {i} after the checkpoint at {checkpointAfter} (crash after {crashAfter}): results differ");
                    }

                    PropertyFailedException.Unless(reopened.ComputeDigest() == memory.ComputeDigest(), () => $"checkpoint at {checkpointAfter}, crash after {crashAfter}: digests differ");
                    string? difference = LedgerHarness.FirstDifference(LedgerHarness.Transfers(memory), LedgerHarness.Transfers(reopened), x => x);
                    PropertyFailedException.Unless(difference is null, () => $"transfers differ: {difference}");

                    // Once the runs written and merged since have replaced the tables and their inputs, every id is still found.
                    reopened.WaitForIdRuns();
                    difference = LedgerHarness.FirstDifference(LedgerHarness.Transfers(memory), LedgerHarness.Transfers(reopened), x => x);
                    PropertyFailedException.Unless(difference is null, () => $"after the merges: transfers differ: {difference}");
                    var events = new ChangeEventsFilter { Limit = LedgerStateMachine.ChangeEventsMax };
                    PropertyFailedException.Unless(reopened.GetChangeEvents(events).SequenceEqual(memory.GetChangeEvents(events)), () => "change events differ");
                }
                finally
                {
                    reopened.Pages.Dispose();
                }
            },
            cases: 100);
}
