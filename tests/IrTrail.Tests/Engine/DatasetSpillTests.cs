using IrTrail.Core.Dataset;
using Xunit;
using static IrTrail.Tests.Engine.DatasetTestHelpers;

namespace IrTrail.Tests.Engine;

/// <summary>Partitions over the memory budget are spilled to disk while reading and written whole at the end: the dataset
/// must be the same rows as when everything fits in memory.</summary>
public sealed class DatasetSpillTests
{
    [Fact]
    public async Task SpilledConversionGivesTheSameRowsAndRowGroupsInOrder()
    {
        var src = TempDir();
        var inMemory = Path.Combine(TempDir(), "ds");
        var spilled = Path.Combine(TempDir(), "ds");
        try
        {
            DatasetTimeStatisticsTests.WriteFixture(src);
            var a = await new DatasetConverter().RunAsync(Sources(src), new ConversionOptions { Destination = inMemory, ThrottleLimit = 2 }, CancellationToken.None);
            // A 1-byte budget spills every partition after every batch; 150-row groups split the spill when read back.
            var b = await new DatasetConverter().RunAsync(Sources(src),
                new ConversionOptions { Destination = spilled, ThrottleLimit = 2, MemoryBudgetBytes = 1, RowGroupRows = 150 }, CancellationToken.None);
            Assert.Equal(a.EventsWritten, b.EventsWritten);
            Assert.Equal(601, b.EventsWritten);
            Assert.Equal(a.Partitions, b.Partitions);
            string Key(Dictionary<string, object?> r) => string.Join("|", r.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + Text(kv.Value)));
            var ra = Rows(inMemory).Select(Key).Order(StringComparer.Ordinal).ToList();
            var rb = Rows(spilled).Select(Key).Order(StringComparer.Ordinal).ToList();
            Assert.Equal(ra, rb);
            // Row groups of at most 150 rows, each sorted by eventTime; no spill files left behind.
            Assert.Equal(0L, Convert.ToInt64(Scalar(spilled, $"SELECT count(*) FROM parquet_metadata('{Glob(spilled)}') WHERE row_group_num_rows > 150")));
            Assert.Empty(Directory.EnumerateFiles(spilled, "*.tmp", SearchOption.AllDirectories));
            Assert.Equal(0L, Convert.ToInt64(Scalar(spilled,
                $"SELECT count(*) FROM (SELECT eventTime < lag(eventTime) OVER (PARTITION BY filename, file_row_number // 150 ORDER BY file_row_number) AS back FROM read_parquet('{Glob(spilled)}', filename = true, file_row_number = true)) WHERE back")));
        }
        finally
        {
            Directory.Delete(src, true);
            Directory.Delete(Path.GetDirectoryName(inMemory)!, true);
            Directory.Delete(Path.GetDirectoryName(spilled)!, true);
        }
    }

    private static string Text(object? v) => v switch
    {
        null => "null",
        System.Collections.IDictionary d => "{" + string.Join(",", d.Keys.Cast<object>().Select(k => k + ":" + Text(d[k]))) + "}",
        DateTime t => t.ToString("O"),
        _ => v.ToString() ?? "",
    };
}
