using LedgerCore.StateMachine.Storage;
using NUnit.Framework;

namespace LedgerCore.Tests.StateMachine;

/// <summary>A chunk's number from its address, for pages in one mapping, scattered, or both (a checkpoint names chunks by number).</summary>
public class ChunkNumbersTests
{
    private const int PerPage = 8;
    private const int ChunkBytes = 256;
    private const long PageBytes = PerPage * ChunkBytes;

    [Test]
    public void Every_chunk_of_every_page_gets_its_number_and_an_address_outside_fails()
    {
        // Pages 0-3 one after another, 4 far below them, 5-6 one after another above, 7 between.
        nint start = 1 << 30;
        nint[] pages =
        [
            start, start + (nint)PageBytes, start + (nint)(2 * PageBytes), start + (nint)(3 * PageBytes),
            start - (nint)(100 * PageBytes),
            start + (nint)(50 * PageBytes), start + (nint)(51 * PageBytes),
            start + (nint)(20 * PageBytes),
        ];
        var numbers = new ChunkNumbers(pages, PerPage, ChunkBytes);
        for (int page = 0; page < pages.Length; page++)
        {
            for (int chunk = 0; chunk < PerPage; chunk++)
            {
                Assert.That(numbers.NumberOf(pages[page] + (chunk * ChunkBytes)), Is.EqualTo((page * PerPage) + chunk));
            }
        }

        Assert.Throws<InvalidOperationException>(() => numbers.NumberOf(start + (nint)(4 * PageBytes)), "just past a run");
        Assert.Throws<InvalidOperationException>(() => numbers.NumberOf(start - (nint)(101 * PageBytes)), "below every page");
        Assert.Throws<InvalidOperationException>(() => numbers.NumberOf(start + 1), "not a chunk's start");
    }

    [Test]
    public void Pages_adjacent_in_memory_but_not_in_number_are_not_joined()
    {
        nint start = 1 << 30;
        nint[] pages = [start + (nint)PageBytes, start]; // page 0 above page 1
        var numbers = new ChunkNumbers(pages, PerPage, ChunkBytes);
        Assert.That(numbers.NumberOf(start), Is.EqualTo(PerPage));
        Assert.That(numbers.NumberOf(start + (nint)PageBytes), Is.EqualTo(0));
    }
}
