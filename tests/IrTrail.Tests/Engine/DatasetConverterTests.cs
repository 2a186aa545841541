using System.Text.Json;
using IrTrail.Core.Dataset;
using IrTrail.Core.Reading;
using IrTrail.Core.Sources;
using Xunit;
using static IrTrail.Tests.Engine.DatasetTestHelpers;

namespace IrTrail.Tests.Engine;

public sealed class DatasetConverterTests
{
    [Fact]
    public async Task SansFolderGivesOneRowPerEventId()
    {
        if (SharedData.Root is not { } shared) return; // ../shared is absent
        var dest = TempDir();
        try
        {
            var r = await ConvertAsync(Path.Combine(shared, "sans504-s3-ransomware-lab"), dest);
            Assert.Equal(30_477, r.EventsIn);
            Assert.Equal(6_496, r.Duplicates);
            Assert.Equal(23_981, r.EventsWritten);
            Assert.Equal(23_981L, Convert.ToInt64(Scalar(dest, "SELECT count(*) FROM cloudtrail")));
            Assert.Equal(23_981L, Convert.ToInt64(Scalar(dest, "SELECT count(DISTINCT eventID) FROM cloudtrail")));
            Assert.Equal(0, r.FilesFailed);
            // Hive partitions with string values; eventTime a TIMESTAMP sorted within row groups.
            Assert.Equal("VARCHAR", Scalar(dest, "SELECT typeof(account_id) FROM cloudtrail LIMIT 1"));
            Assert.StartsWith("TIMESTAMP", (string)Scalar(dest, "SELECT typeof(eventTime) FROM cloudtrail LIMIT 1")!);
            Assert.Equal(0L, Convert.ToInt64(Scalar(dest, "SELECT count(*) FROM cloudtrail WHERE strftime(eventTime, '%Y-%m-%d') <> event_date")));
            // Re-running over the same inputs adds nothing.
            var again = await ConvertAsync(Path.Combine(shared, "sans504-s3-ransomware-lab"), dest);
            Assert.Equal(0, again.FilesWritten);
            Assert.Equal(0, again.EventsIn);
            Assert.Equal(23_981L, Convert.ToInt64(Scalar(dest, "SELECT count(*) FROM cloudtrail")));
        }
        finally { Directory.Delete(dest, true); }
    }

    [Fact]
    public async Task EverySharedRecordRebuildsFromTheDataset()
    {
        if (SharedData.Root is not { } shared) return; // ../shared is absent
        var dest = TempDir();
        try
        {
            var r = await ConvertAsync(shared, dest, keepDuplicates: true);
            var rows = Rows(dest).ToDictionary(x => ((string)x["sourceFile"]!, Convert.ToInt64(x["sourceRecord"])));
            Assert.Equal(r.EventsWritten, rows.Count);
            long compared = 0, notEvents = 0;
            var mismatches = new List<string>();
            foreach (var file in LogFileNames.Enumerate(shared))
            {
                await using var fs = File.OpenRead(file);
                using var scanner = new JsonRecordScanner(fs);
                while (true)
                {
                    ReadOnlyMemory<byte>? rec;
                    try { rec = await scanner.NextAsync(); }
                    catch (CloudTrailFormatException) { break; }
                    if (rec is null) break;
                    if (!rows.TryGetValue((file, scanner.RecordCount - 1), out var row)) { notEvents++; continue; }
                    using var original = JsonDocument.Parse(rec.Value);
                    var rebuilt = RecordRebuilder.Rebuild(row);
                    using var back = JsonDocument.Parse(rebuilt);
                    if (!JsonEqual(original.RootElement, back.RootElement) && mismatches.Count < 5)
                        mismatches.Add($"{file}#{scanner.RecordCount - 1}:\n{System.Text.Encoding.UTF8.GetString(rec.Value.Span)}\n{rebuilt}");
                    compared++;
                }
            }
            Assert.Empty(mismatches);
            Assert.Equal(r.EventsWritten, compared);
            Assert.Equal(r.RecordErrors, notEvents);
            Assert.True(compared > 30_000, $"only {compared} records compared");
        }
        finally { Directory.Delete(dest, true); }
    }
}
