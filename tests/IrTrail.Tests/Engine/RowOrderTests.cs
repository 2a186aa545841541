using IrTrail.Core.Dataset;
using Xunit;

namespace IrTrail.Tests.Engine;

public sealed class RowOrderTests
{
    private static RowBuffer Rows(IEnumerable<long> times)
    {
        var rows = new RowBuffer();
        foreach (var t in times)
        {
            rows.BeginRow(16);
            if (t != RowBuffer.NoTime) rows.SetTime(t);
            rows.EndRow();
        }
        return rows;
    }

    /// <summary>What the order must be: by time, unknown times first, equal times in input order.</summary>
    private static int[] Expected(IReadOnlyList<long> times) =>
        Enumerable.Range(0, times.Count).OrderBy(i => times[i] == RowBuffer.NoTime ? long.MinValue : times[i]).ToArray();

    public static TheoryData<string, long> Spans => new()
    {
        { "one day (one packed key)", TimeSpan.TicksPerDay },
        { "five years (time, then index)", TimeSpan.TicksPerDay * 365 * 5 },
        { "one second, many equal times", TimeSpan.TicksPerSecond },
    };

    [Theory]
    [MemberData(nameof(Spans))]
    public void Sorts_by_time_unknown_first_and_stable(string what, long span)
    {
        var random = new Random(11);
        var start = new DateTime(2024, 5, 1).Ticks;
        foreach (var count in new[] { 1, 2, 17, 4096, 122_880 })
        {
            var times = Enumerable.Range(0, count).Select(_ => random.Next(20) == 0
                ? RowBuffer.NoTime
                : start + random.NextInt64(span) / 10 * 10).ToList();
            Assert.True(Expected(times).SequenceEqual(RowOrder.ByTime(Rows(times))), $"{what}, {count} rows");
        }
    }

    [Fact]
    public void Handles_no_rows_and_only_unknown_times()
    {
        Assert.Empty(RowOrder.ByTime(new RowBuffer()));
        Assert.Equal([0, 1, 2], RowOrder.ByTime(Rows([RowBuffer.NoTime, RowBuffer.NoTime, RowBuffer.NoTime])));
        // Extreme times (far apart) still sort, by the general way.
        Assert.Equal([1, 2, 0], RowOrder.ByTime(Rows([DateTime.MaxValue.Ticks, RowBuffer.NoTime, DateTime.MinValue.Ticks])));
    }

    /// <summary>The packed keys' sort: as Array.Sort at every size around its insertion-sort cut, with keys from a few
    /// bits (most passes skipped) to 62.</summary>
    [Fact]
    public void Radix_sort_sorts_as_Array_Sort()
    {
        var random = new Random(3);
        foreach (var n in new[] { 0, 1, 63, 64, 65, 3400, 50_000 })
            foreach (var bits in new[] { 3, 12, 40, 57, 62 })
            {
                var keys = Enumerable.Range(0, n).Select(_ => random.NextInt64(1L << bits)).ToArray();
                var expected = keys.ToArray();
                Array.Sort(expected);
                RowOrder.RadixSort(keys);
                Assert.True(expected.SequenceEqual(keys), $"{n} keys of {bits} bits");
            }
    }
}
