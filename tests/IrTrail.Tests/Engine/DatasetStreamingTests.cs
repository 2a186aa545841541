using System.Text;
using IrTrail.Core.Dataset;
using IrTrail.Core.Sources;
using Xunit;
using static IrTrail.Tests.Engine.DatasetTestHelpers;

namespace IrTrail.Tests.Engine;

/// <summary>
/// A partition bigger than a chunk is streamed to a writer while it is still being read, and deduplication keeps one
/// set of eventIDs per partition, only while the partition is in memory or being written: both must give exactly the
/// rows a conversion that holds everything in memory gives.
/// </summary>
public sealed class DatasetStreamingTests
{
    private static readonly DateTime Start = new(2024, 6, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>One delivery file: <paramref name="count"/> events of one account and region, one a second from
    /// <paramref name="first"/>, in reverse time order (so sorting is visible), with the given eventIDs.</summary>
    private static void WriteFile(string path, string account, int first, int count, Func<int, string> eventId)
    {
        var sb = new StringBuilder("{\"Records\":[");
        for (var i = first + count - 1; i >= first; i--)
        {
            var t = Start.AddSeconds(i);
            sb.Append($$"""{"eventVersion":"1.08","eventTime":"{{t:yyyy-MM-ddTHH:mm:ss}}Z","eventName":"E{{i}}","awsRegion":"eu-west-1","recipientAccountId":"{{account}}","eventID":"{{eventId(i)}}"},""");
        }
        sb.Length--;
        sb.Append("]}");
        File.WriteAllText(path, sb.ToString());
    }

    private static string Id(string account, int i) => new Guid(Encoding.ASCII.GetBytes($"{account[..6]}{i:D10}")).ToString();

    /// <summary>A source that opens only when the test says so.</summary>
    private sealed class GatedSource(ILogSource inner, Task gate) : ILogSource
    {
        public string Uri => inner.Uri;
        public long? Length => inner.Length;
        public async ValueTask<Stream> OpenAsync(CancellationToken cancellationToken)
        {
            await gate.WaitAsync(cancellationToken);
            return await inner.OpenAsync(cancellationToken);
        }
    }

    /// <summary>A dataset's rows by the columns these tests vary, as sorted text: comparable whatever the file layout.</summary>
    private static List<string> KeyRows(string root) =>
        Rows(root, "eventID, eventTime, eventName, account_id").Select(r => string.Join("|", r.Values)).Order(StringComparer.Ordinal).ToList();

    /// <summary>Converts <paramref name="src"/> (two writers, chunks of 120 rows) with its last source held back until
    /// <paramref name="folder"/> has a file with row groups on disk, or 10 s have passed; says which.</summary>
    private static async Task<(bool WrittenEarly, ConversionResult Result)> ConvertHoldingBackTheLastSource(string src, string dest, string folder)
    {
        var gate = new TaskCompletionSource();
        var sources = Sources(src);
        sources[^1] = new GatedSource(sources[^1], gate.Task);
        var run = new DatasetConverter().RunAsync(sources, new ConversionOptions { Destination = dest, ThrottleLimit = 2, RowGroupRows = 120 }, CancellationToken.None);
        var writtenEarly = false;
        for (var wait = 0; wait < 200 && !writtenEarly; wait++)
        {
            await Task.Delay(50);
            writtenEarly = Directory.Exists(folder) &&
                Directory.EnumerateFiles(folder, "*.tmp", SearchOption.AllDirectories).Any(f => new FileInfo(f).Length > 1000);
        }
        gate.SetResult();
        return (writtenEarly, await run);
    }

    [Fact]
    public async Task ALargePartitionIsWrittenWhileTheInputIsStillBeingRead()
    {
        var src = TempDir();
        // 30 files of 100 events in one partition, then 5 files of another.
        for (var f = 0; f < 30; f++) WriteFile(Path.Combine(src, $"a-{f:D2}.json"), "111111111111", f * 100, 100, i => Id("111111", i));
        for (var f = 0; f < 5; f++) WriteFile(Path.Combine(src, $"b-{f:D2}.json"), "222222222222", f * 100, 100, i => Id("222222", i));
        var streamed = Path.Combine(TempDir(), "ds");
        var inMemory = Path.Combine(TempDir(), "ds");

        // The last source is held back. The first partition is not closed before then (it is closed once 16 sources
        // pass without it), so its file can only have row groups on disk by then if it was streamed. Chunks of 120
        // rows: the first partition fills 25 of them while it is read.
        var folder = Path.Combine(streamed, "account_id=111111111111");
        var (writtenEarly, a) = await ConvertHoldingBackTheLastSource(src, streamed, folder);
        Assert.True(writtenEarly, "the large partition's file had no row groups on disk while input was still being read");

        // With one writer nothing is streamed (a streaming writer waits on the reader, so one writer is always left for
        // the queue): the same rows, the whole partition held in memory.
        var b = await new DatasetConverter().RunAsync(Sources(src), new ConversionOptions { Destination = inMemory, ThrottleLimit = 1 }, CancellationToken.None);
        Assert.Equal(3500, a.EventsWritten);
        Assert.Equal(b.EventsWritten, a.EventsWritten);
        var rowsA = KeyRows(streamed);
        var rowsB = KeyRows(inMemory);
        Assert.Equal(rowsB, rowsA);
        // One file for the whole streamed partition, in row groups of at most 120 rows, each sorted by eventTime.
        Assert.Single(Directory.EnumerateFiles(folder, "*.parquet", SearchOption.AllDirectories));
        Assert.Equal(0L, Convert.ToInt64(Scalar(streamed, $"SELECT count(*) FROM parquet_metadata('{Glob(streamed)}') WHERE row_group_num_rows > 120")));
        Assert.Equal(0L, Convert.ToInt64(Scalar(streamed,
            $"SELECT count(*) FROM (SELECT eventTime < lag(eventTime) OVER (PARTITION BY filename, file_row_number // 120 ORDER BY file_row_number) AS back FROM read_parquet('{Glob(streamed)}', filename = true, file_row_number = true)) WHERE back")));
    }

    [Fact]
    public async Task DensePartitionsOneAfterAnotherEachStreamWhileTheInputIsRead()
    {
        var src = TempDir();
        // Partition A (20 files), then B (10 files: fewer than the 16 sources after which A would be closed anyway),
        // then a late file for A (10 copies of A's events and 10 new ones), then C.
        for (var f = 0; f < 20; f++) WriteFile(Path.Combine(src, $"a-{f:D2}.json"), "111111111111", f * 100, 100, i => Id("111111", i));
        for (var f = 0; f < 10; f++) WriteFile(Path.Combine(src, $"b-{f:D2}.json"), "222222222222", f * 100, 100, i => Id("222222", i));
        WriteFile(Path.Combine(src, "b-late.json"), "111111111111", 1990, 20, i => Id("111111", i));
        for (var f = 0; f < 2; f++) WriteFile(Path.Combine(src, $"c-{f:D2}.json"), "333333333333", f * 100, 100, i => Id("333333", i));
        var ds = Path.Combine(TempDir(), "ds");
        var reference = Path.Combine(TempDir(), "ds");

        // With two writers one partition streams at a time. B can only have row groups on disk before the last source
        // is read if A, which the input has moved past, gave its stream up to B.
        var folderB = Path.Combine(ds, "account_id=222222222222");
        var (streamedB, r) = await ConvertHoldingBackTheLastSource(src, ds, folderB);
        Assert.True(streamedB, "the second dense partition was not streamed while the input was still being read");

        // The late file reopened A: its copies are duplicates of rows already in A's streamed file.
        Assert.Equal(2000 + 1000 + 10 + 200, r.EventsWritten);
        Assert.Equal(10, r.Duplicates);
        var b = await new DatasetConverter().RunAsync(Sources(src), new ConversionOptions { Destination = reference, ThrottleLimit = 1 }, CancellationToken.None);
        var rows = KeyRows(ds);
        var expected = KeyRows(reference);
        Assert.Equal(expected, rows);
        Assert.Single(Directory.EnumerateFiles(folderB, "*.parquet", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task ACopyArrivingAfterItsPartitionWasWrittenIsStillADuplicate()
    {
        var src = TempDir();
        // Partition P (5 files), then 60 files of partition Q (P is closed and written meanwhile), then second copies of
        // P's files under another prefix, and a late file with P's events plus 10 new ones.
        for (var f = 0; f < 5; f++) WriteFile(Path.Combine(src, $"a-{f:D2}.json"), "111111111111", f * 50, 50, i => Id("111111", i));
        for (var f = 0; f < 60; f++) WriteFile(Path.Combine(src, $"m-{f:D2}.json"), "222222222222", f * 10, 10, i => Id("222222", i));
        for (var f = 0; f < 5; f++) WriteFile(Path.Combine(src, $"x-{f:D2}.json"), "111111111111", f * 50, 50, i => Id("111111", i));
        WriteFile(Path.Combine(src, "z-late.json"), "111111111111", 240, 20, i => Id("111111", i));

        var ds = Path.Combine(TempDir(), "ds");
        var r = await new DatasetConverter().RunAsync(Sources(src), new ConversionOptions { Destination = ds, ThrottleLimit = 2 }, CancellationToken.None);

        Assert.Equal(250 + 600 + 10, r.EventsWritten);
        Assert.Equal(250 + 10, r.Duplicates);
        Assert.Equal(860L, Convert.ToInt64(Scalar(ds, "SELECT count(DISTINCT eventID) FROM cloudtrail")));
        Assert.Equal(860L, Convert.ToInt64(Scalar(ds, "SELECT count(*) FROM cloudtrail")));

        // Run again with the copies and late file alone: everything is already there, read back from the files.
        var again = TempDir();
        foreach (var f in Directory.EnumerateFiles(src, "x-*.json").Append(Path.Combine(src, "z-late.json")))
            File.Copy(f, Path.Combine(again, Path.GetFileName(f)));
        var r2 = await new DatasetConverter().RunAsync(Sources(again), new ConversionOptions { Destination = ds, ThrottleLimit = 2 }, CancellationToken.None);
        Assert.Equal(0, r2.EventsWritten);
        Assert.Equal(270, r2.Duplicates);
    }
}
