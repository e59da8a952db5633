using System.Text.RegularExpressions;
using ClusterQuickStart;
using NUnit.Framework;

namespace LedgerCore.Samples.Tests;

/// <summary>Runs the ClusterQuickStart walk-through as a user would and checks what it printed.</summary>
public class ClusterQuickStartTests
{
    [Test]
    public async Task The_walk_through_survives_the_leader_retries_answer_Exists_and_live_replicas_agree()
    {
        using var output = new StringWriter();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await ClusterDemo.RunAsync(output, timeout.Token);
        string text = output.ToString();
        TestContext.Out.WriteLine(text);

        Match first = Regex.Match(text, @"^leader: replica (\d) .*term (\d+)", RegexOptions.Multiline);
        Match next = Regex.Match(text, @"^new leader: replica (\d) .*term (\d+)", RegexOptions.Multiline);
        Assert.That(first.Success && next.Success, Is.True, "both elections are reported");
        Assert.That(next.Groups[1].Value, Is.Not.EqualTo(first.Groups[1].Value), "the stopped leader is not the new one");
        Assert.That(long.Parse(next.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture), Is.GreaterThan(long.Parse(first.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture)));

        Assert.That(text, Does.Match(@"in-flight write: (acknowledged before the leader stopped|outcome unknown \(NotLeaderException\))"));
        Assert.That(text, Does.Match(@"retry of transfers 11-15 with the same ids: (Exists x5 \(applied before\)|created 5, Exists 0, other failures 0)"));
        Assert.That(text, Does.Contain("retry of transfers 1-10 with the same ids: Exists x10 (applied before)"));

        // 25 transfers of 100 from account 1, each once, whatever happened to the in-flight ones; odd ids to 3, even to 2.
        Assert.That(text, Does.Contain("account 1: debits 2500, credits 0"));
        Assert.That(text, Does.Contain("account 2: debits 0, credits 1200"));
        Assert.That(text, Does.Contain("account 3: debits 0, credits 1300"));
        Assert.That(text, Does.Match(@"digests of the 2 live replicas: equal \([0-9A-F]{32}\)"));

        Match removed = Regex.Match(text, @"^stopped the replicas and removed (.+)$", RegexOptions.Multiline);
        Assert.That(removed.Success, Is.True);
        Assert.That(Directory.Exists(removed.Groups[1].Value.TrimEnd('\r')), Is.False, "the sample cleans up its directories");
    }
}
