using System.Text;
using IrTrail.Core.Dataset;
using IrTrail.Core.Query;
using Xunit;
using static IrTrail.Tests.Engine.DatasetTestHelpers;

namespace IrTrail.Tests.Engine;

/// <summary>
/// eventTime's Parquet statistics must be in the column's declared unit (microseconds): engines skip row groups by them,
/// so wrong min/max make `eventTime &gt; TIMESTAMP '…'` silently return nothing.
/// </summary>
public sealed class DatasetTimeStatisticsTests
{
    private static readonly DateTime Start = new(2024, 5, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>600 events in one partition, one every 2 minutes (some with milliseconds), one without a time; 100 events
    /// per file, files in reverse time order (so row groups are not simply time slices of the input).</summary>
    internal static void WriteFixture(string folder)
    {
        for (var f = 0; f < 6; f++)
            File.WriteAllText(Path.Combine(folder, $"times-{f}.json"), Fixture(500 - 100 * f, f == 5));
    }

    private static string Fixture(int first, bool withNoTime)
    {
        var sb = new StringBuilder("{\"Records\":[");
        for (var i = first; i < first + 100; i++)
        {
            var t = Start.AddMinutes(2 * i).AddMilliseconds(i % 3 == 0 ? 0 : i);
            sb.Append($$"""{"eventVersion":"1.08","eventTime":"{{t:yyyy-MM-ddTHH:mm:ss.fff}}Z","eventName":"E{{i}}","awsRegion":"eu-west-1","recipientAccountId":"000123456789","eventID":"{{Guid.NewGuid()}}"},""");
        }
        if (withNoTime) sb.Append("""{"eventVersion":"1.08","eventName":"NoTime","awsRegion":"eu-west-1","recipientAccountId":"000123456789"}""");
        else sb.Length--;
        sb.Append("]}");
        return sb.ToString();
    }

    [Fact]
    public async Task TimestampFiltersReturnTheMatchingRowsAndStatisticsAreTrueMinMax()
    {
        var src = TempDir();
        var dest = Path.Combine(TempDir(), "ds");
        try
        {
            WriteFixture(src);
            // Small row groups, so there are several per file and skipping by statistics matters.
            var r = await new DatasetConverter().RunAsync(Sources(src),
                new ConversionOptions { Destination = dest, ThrottleLimit = 1, RowGroupRows = 100 }, CancellationToken.None);
            Assert.Equal(601, r.EventsWritten);

            // 2024-05-01 10:00 is event 300; events are 2 minutes apart.
            Assert.Equal(299L, Count(dest, "eventTime > TIMESTAMP '2024-05-01 10:00:00.5'"));
            Assert.Equal(300L, Count(dest, "eventTime < TIMESTAMP '2024-05-01 10:00:00'"));
            Assert.Equal(31L, Count(dest, "eventTime BETWEEN TIMESTAMP '2024-05-01 09:00:00' AND TIMESTAMP '2024-05-01 10:00:00.000'"));
            Assert.Equal(1L, Count(dest, "eventTime = TIMESTAMP '2024-05-01 00:00:00'"));
            Assert.Equal(600L, Count(dest, "eventTime >= TIMESTAMP '2024-05-01'"));
            Assert.Equal(0L, Count(dest, "eventTime > TIMESTAMP '2024-05-02'"));
            Assert.Equal(Count(dest, "epoch_us(eventTime) > epoch_us(TIMESTAMP '2024-05-01 13:33:00')"),
                Count(dest, "eventTime > TIMESTAMP '2024-05-01 13:33:00'"));

            // Every row group's statistics are its true min/max eventTime.
            using var engine = new LocalQueryEngine();
            var glob = Glob(dest);
            var groups = engine.Query(
                $"""
                WITH m AS (SELECT file_name, row_group_id, stats_min_value, stats_max_value FROM parquet_metadata('{glob}') WHERE path_in_schema = 'eventTime'),
                     d AS (SELECT filename, file_row_number // 100 AS rg, min(eventTime)::VARCHAR AS lo, max(eventTime)::VARCHAR AS hi, count(eventTime) AS n
                           FROM read_parquet('{glob}', filename = true, file_row_number = true) GROUP BY ALL)
                SELECT m.stats_min_value, d.lo, m.stats_max_value, d.hi, d.n FROM m JOIN d ON m.file_name = d.filename AND m.row_group_id = d.rg
                """, _ => { }, CancellationToken.None).ToList();
            Assert.True(groups.Count >= 6, $"{groups.Count} row groups");
            foreach (var g in groups)
            {
                if (Convert.ToInt64(g[4]) == 0) continue; // the row group of the one event without a time has no min/max
                Assert.Equal(g[1], g[0]);
                Assert.Equal(g[3], g[2]);
            }
        }
        finally { Directory.Delete(src, true); Directory.Delete(Path.GetDirectoryName(dest)!, true); }
    }

    private static long Count(string root, string where) => Convert.ToInt64(Scalar(root, $"SELECT count(*) FROM cloudtrail WHERE {where}"));
}
