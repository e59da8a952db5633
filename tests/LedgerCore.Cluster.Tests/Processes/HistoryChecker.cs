using System.Globalization;

namespace LedgerCore.Cluster.Tests.Processes;

/// <summary>
/// Checks a <see cref="History"/> against the replicas after heal and quiesce (every replica running,
/// equal applied sequences), in the style of Jepsen: every acknowledged id present on every replica
/// with the fields it was sent with; nothing present that was never sent; balances equal to the sum of
/// the transfers present (so no transfer applied twice); per ledger, debits equal credits; timestamps
/// distinct and rising in real time (an operation acknowledged before another was invoked has the
/// smaller timestamps, across leader changes); all digests equal. Returns the violations found.
/// </summary>
/// <remarks>
/// Sequences are checked through each replica's change feed (ReadCommittedAsync), which reaches back to
/// its newest snapshot only: over what each replica still has, batches are gap-free, timestamps rise,
/// fencing tokens (terms) never go back, and replicas agree on every sequence they both hold.
/// </remarks>
internal static class HistoryChecker
{
    private const int Chunk = 1000;

    /// <summary>Marks the stats of a check in which no replica's feed reached back far enough to be checked.</summary>
    public const string FeedsNotChecked = "feeds not checked";

    /// <param name="allowUncheckedFeeds">
    /// Whether all three feeds compacted to the end is acceptable for this one check. Replicas snapshot at
    /// the same event counts, so when the last batches land on a snapshot they are compacted on every
    /// replica alike (CI saw it with snapshots every 300 events): a test running many seeds passes true and
    /// requires instead that some seeds had feeds to check (<see cref="FeedsNotChecked"/> in the stats).
    /// </param>
    public static async Task<(List<string> Violations, string Stats)> CheckAsync(ProcessCluster cluster, History history, bool allowUncheckedFeeds = false)
    {
        var violations = new List<string>();
        long applied = await cluster.WaitForQuiesceAsync();
        for (int i = 0; i < 3; i++)
        {
            ReplicaStatus status = await cluster.StatusAsync(i);
            if (status.Fault != "-") violations.Add($"replica {i} faulted: {status.Fault}");
        }

        // What must exist: every id of an ok operation, and of a failed one, every id not failed or failed with Exists.
        var must = new HashSet<UInt128>();
        foreach (Operation o in history.Operations)
        {
            if (o.Outcome is not (Outcome.Ok or Outcome.Fail)) continue;
            for (int k = 0; k < o.Ids.Length; k++)
            {
                if (!o.Failures.TryGetValue(k, out string? result) || result == "Exists") must.Add(o.Ids[k]);
                else violations.Add($"unexpected result {result} for id {o.Ids[k]} in {o}");
            }
        }

        UInt128[] sent = history.Transfers.Keys.Order().ToArray();
        var present = new Dictionary<UInt128, Transfer>[3];
        for (int i = 0; i < 3; i++)
        {
            present[i] = await LookupAsync(cluster, i, sent);
            int missing = 0;
            foreach (UInt128 id in must)
            {
                if (present[i].ContainsKey(id)) continue;
                if (missing++ < 5) violations.Add($"replica {i}: acknowledged id {id} is missing ({Acknowledgement(history, id)})");
            }

            if (missing > 0) violations.Add($"replica {i}: {missing} acknowledged ids missing of {must.Count}");
            foreach (Transfer t in present[i].Values)
            {
                Transfer spec = history.Transfers[t.Id];
                if (t.DebitAccountId != spec.DebitAccountId || t.CreditAccountId != spec.CreditAccountId || t.Amount != spec.Amount || t.Ledger != spec.Ledger)
                {
                    violations.Add($"replica {i}: transfer {t.Id} differs from what was sent");
                }
            }

            if (i > 0 && !present[i].Keys.ToHashSet().SetEquals(present[0].Keys)) violations.Add($"replica {i} holds {present[i].Count} of the sent ids, replica 0 holds {present[0].Count}");
        }

        // Balances: each account's posted amounts are the sum of the transfers present, once each.
        var expected = history.Accounts.ToDictionary(a => a.Id, _ => (Debits: UInt128.Zero, Credits: UInt128.Zero));
        foreach (Transfer t in present[0].Values)
        {
            expected[t.DebitAccountId] = (expected[t.DebitAccountId].Debits + t.Amount, expected[t.DebitAccountId].Credits);
            expected[t.CreditAccountId] = (expected[t.CreditAccountId].Debits, expected[t.CreditAccountId].Credits + t.Amount);
        }

        UInt128[] accountIds = history.Accounts.Select(a => a.Id).ToArray();
        for (int i = 0; i < 3; i++)
        {
            string answer = await Request(cluster, i, "balances " + string.Join(' ', accountIds.Select(id => id.ToString(CultureInfo.InvariantCulture))));
            var perLedger = new Dictionary<uint, (UInt128 Debits, UInt128 Credits)>();
            foreach (string item in answer.Split(' ').Skip(1))
            {
                string[] f = item.Split(':');
                UInt128 id = UInt128.Parse(f[0], CultureInfo.InvariantCulture);
                uint ledger = uint.Parse(f[1], CultureInfo.InvariantCulture);
                UInt128 debits = UInt128.Parse(f[2], CultureInfo.InvariantCulture);
                UInt128 credits = UInt128.Parse(f[3], CultureInfo.InvariantCulture);
                if ((debits, credits) != expected[id]) violations.Add($"replica {i}: account {id} posted {debits}/{credits}, the transfers present sum to {expected[id].Debits}/{expected[id].Credits} (applied twice?)");
                (UInt128 d, UInt128 c) = perLedger.GetValueOrDefault(ledger);
                perLedger[ledger] = (d + debits, c + credits);
            }

            foreach ((uint ledger, (UInt128 d, UInt128 c)) in perLedger)
            {
                if (d != c) violations.Add($"replica {i}: ledger {ledger} debits {d} != credits {c}");
            }
        }

        CheckTimestamps(history, present[0], violations);
        string feeds = await CheckFeedsAsync(cluster, applied, violations, allowUncheckedFeeds);

        var digests = new string[3];
        for (int i = 0; i < 3; i++) digests[i] = await Request(cluster, i, "digest");
        if (digests.Distinct().Count() != 1) violations.Add($"digests differ: {string.Join(", ", digests)}");

        string stats = $"{history.Summary()}; {must.Count} acknowledged, {present[0].Count} present; applied sequence {applied}; {feeds}";
        return (violations, stats);
    }

    /// <summary>Timestamps are distinct, and an operation acknowledged before another was invoked holds only smaller ones.</summary>
    private static void CheckTimestamps(History history, Dictionary<UInt128, Transfer> present, List<string> violations)
    {
        if (present.Values.Select(t => t.Timestamp).Distinct().Count() != present.Count) violations.Add("two transfers share a timestamp");

        // Only clean oks: their batch is the one that created every id, so its timestamps lie inside [invoked, completed].
        var oks = history.Operations.Where(o => o.Outcome == Outcome.Ok && o.Ids.All(present.ContainsKey))
            .Select(o => (Op: o, Min: o.Ids.Min(id => present[id].Timestamp), Max: o.Ids.Max(id => present[id].Timestamp))).ToList();
        var byCompletion = oks.OrderBy(x => x.Op.Completed).ToList();
        int next = 0;
        ulong highest = 0;
        Operation? highestOp = null;
        foreach (var current in oks.OrderBy(x => x.Op.Invoked))
        {
            while (next < byCompletion.Count && byCompletion[next].Op.Completed < current.Op.Invoked)
            {
                if (byCompletion[next].Max > highest) (highest, highestOp) = (byCompletion[next].Max, byCompletion[next].Op);
                next++;
            }

            if (current.Min <= highest)
            {
                violations.Add($"timestamps go back in real time: {current.Op} has {current.Min}, after {highestOp} acknowledged {highest}");
                if (violations.Count > 20) return;
            }
        }
    }

    /// <summary>Every replica's feed, from as far back as it reaches: gap-free, rising, and equal where the feeds overlap.</summary>
    private static async Task<string> CheckFeedsAsync(ProcessCluster cluster, long applied, List<string> violations, bool allowUnchecked)
    {
        var seen = new Dictionary<long, (ulong Timestamp, ulong Token, int Events)>();
        var reached = new long[3];
        int compacted = 0;
        for (int i = 0; i < 3; i++)
        {
            // From the first batch when the replica still has it, else from closer to its end.
            // A feed reaches back only to the batch after the replica's newest snapshot (docs/replication.md), and
            // when the WAL compacts behind it is up to DotNext's flusher: with snapshots every few batches, on a busy
            // machine even the last batches can be gone. Such a replica has nothing to check; all three is a violation.
            string answer = "feed compacted";
            foreach (long back in new[] { applied, 512, 64, 8, 7, 6, 5, 4, 3, 2, 1 })
            {
                answer = await Request(cluster, i, FormattableString.Invariant($"feed {Math.Max(1, applied - back + 1)}"));
                if (answer != "feed compacted") break;
            }

            if (answer == "feed compacted")
            {
                reached[i] = applied + 1;
                compacted++;
                continue;
            }

            var batches = answer.Split(' ').Skip(1).Select(item =>
            {
                string[] f = item.Split(':');
                return (Sequence: long.Parse(f[0], CultureInfo.InvariantCulture), Timestamp: ulong.Parse(f[1], CultureInfo.InvariantCulture),
                    Token: ulong.Parse(f[2], CultureInfo.InvariantCulture), Events: int.Parse(f[3], CultureInfo.InvariantCulture));
            }).ToList();
            if (batches.Count == 0 || batches[^1].Sequence != applied) violations.Add($"replica {i}: its feed ends at {(batches.Count == 0 ? 0 : batches[^1].Sequence)}, not at the applied sequence {applied}");
            reached[i] = batches.Count == 0 ? 0 : batches[0].Sequence;
            for (int k = 0; k < batches.Count; k++)
            {
                var b = batches[k];
                if (k > 0)
                {
                    var p = batches[k - 1];
                    if (b.Sequence != p.Sequence + 1) violations.Add($"replica {i}: feed jumps from sequence {p.Sequence} to {b.Sequence}");
                    if (b.Timestamp <= p.Timestamp) violations.Add($"replica {i}: batch {b.Sequence}'s timestamp {b.Timestamp} does not rise past {p.Timestamp}");
                    if (b.Token < p.Token) violations.Add($"replica {i}: batch {b.Sequence}'s term {b.Token} is below the previous {p.Token}");
                }

                if (seen.TryGetValue(b.Sequence, out var other) && other != (b.Timestamp, b.Token, b.Events))
                {
                    violations.Add($"replica {i}: batch {b.Sequence} is {b.Timestamp}/{b.Token}/{b.Events}, another replica has {other}");
                }

                seen[b.Sequence] = (b.Timestamp, b.Token, b.Events);
                if (violations.Count > 40) return "feeds: too many violations";
            }
        }

        if (compacted == 3)
        {
            if (!allowUnchecked) violations.Add($"no replica's feed reaches back to its applied sequence {applied}: nothing of the feeds could be checked");
            return $"{FeedsNotChecked}: every replica's feed compacted to its applied sequence {applied}";
        }

        return $"feeds from sequences {string.Join('/', reached)} ({compacted} compacted to the end)";
    }

    private static string Acknowledgement(History history, UInt128 id)
    {
        List<Operation> tries = history.Operations.Where(o => Array.IndexOf(o.Ids, id) >= 0).ToList();
        return $"{tries.Count} tries, answered: " + string.Join("; ", tries.Where(o => o.Outcome is Outcome.Ok or Outcome.Fail).Select(o => o.ToString()));
    }

    internal static async Task<Dictionary<UInt128, Transfer>> LookupAsync(ProcessCluster cluster, int i, UInt128[] ids)
    {
        var found = new Dictionary<UInt128, Transfer>();
        foreach (UInt128[] chunk in ids.Chunk(Chunk))
        {
            string answer = await Request(cluster, i, "lookup " + string.Join(' ', chunk.Select(id => id.ToString(CultureInfo.InvariantCulture))));
            foreach (string item in answer.Split(' ').Skip(1))
            {
                string[] f = item.Split(':');
                var t = new Transfer
                {
                    Id = UInt128.Parse(f[0], CultureInfo.InvariantCulture),
                    DebitAccountId = UInt128.Parse(f[1], CultureInfo.InvariantCulture),
                    CreditAccountId = UInt128.Parse(f[2], CultureInfo.InvariantCulture),
                    Amount = UInt128.Parse(f[3], CultureInfo.InvariantCulture),
                    Ledger = uint.Parse(f[4], CultureInfo.InvariantCulture),
                    Timestamp = ulong.Parse(f[5], CultureInfo.InvariantCulture),
                };
                if (!found.TryAdd(t.Id, t)) throw new InvalidOperationException($"replica {i} returned {t.Id} twice");
            }
        }

        return found;
    }

    private static async Task<string> Request(ProcessCluster cluster, int i, string request)
    {
        string answer = await cluster.Replicas[i]!.RequestAsync(request, ProcessCluster.Patience);
        if (answer.StartsWith("error", StringComparison.Ordinal)) throw new InvalidOperationException($"replica {i}: {request.Split(' ')[0]}: {answer}");
        return answer;
    }
}
