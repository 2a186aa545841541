using System.IO.Compression;
using System.Text;
using System.Text.Json;
using IrTrail.Core.Dataset;
using IrTrail.Core.Reading;
using IrTrail.Core.Sources;
using Xunit;
using static IrTrail.Tests.Engine.DatasetTestHelpers;

namespace IrTrail.Tests.Engine;

/// <summary>The converter's scanner delimits records structurally (the mapper validates them): it must find exactly the
/// records a validating reader finds, and a malformed record must still be reported, naming the file and the record.</summary>
public sealed class StructuralJsonTests
{
    private static int? SkipLength(byte[] json)
    {
        var reader = new Utf8JsonReader(json, isFinalBlock: false, default);
        reader.Read();
        return reader.TrySkip() ? (int)reader.BytesConsumed : null;
    }

    [Fact]
    public void EscapesAndBracesInStringsAtEveryOffsetOfABlock()
    {
        var rng = new Random(7);
        string[] pieces = ["\\\\", "\\\"", "{", "}", "[", "]", "\\u00e9", "é", "x", "\\n", "\\/", " "];
        for (var pad = 0; pad < 140; pad++) // two 64-byte blocks of offsets
        {
            var sb = new StringBuilder("{\"p\":\"").Append('a', pad).Append("\",");
            for (var k = 0; k < 6; k++)
            {
                sb.Append("\"k").Append(k).Append("\":");
                var value = string.Concat(Enumerable.Range(0, rng.Next(1, 40)).Select(_ => pieces[rng.Next(pieces.Length)]));
                sb.Append(k % 3 == 0 ? $"{{\"s\":\"{value}\",\"a\":[{{\"b\":\"{value}\"}}]}}" : $"\"{value}\"").Append(',');
            }
            sb.Length--;
            sb.Append('}');
            var json = Encoding.UTF8.GetBytes(sb.ToString());
            var withTail = json.Concat(",{\"next\":1}]}"u8.ToArray()).ToArray();
            Assert.Equal(SkipLength(withTail), StructuralJson.ObjectLength(withTail));
            Assert.Equal(json.Length, StructuralJson.ObjectLength(withTail));
            // Cut anywhere inside: not complete yet.
            for (var cut = 1; cut < json.Length; cut += 7)
                Assert.Equal(-1, StructuralJson.ObjectLength(json.AsSpan(0, cut)));
        }
    }

    [Fact]
    public async Task EverySharedFileSplitsIntoTheSameRecords()
    {
        var root = SharedData.Root;
        if (root is null) return;
        var files = 0;
        foreach (var file in LogFileNames.Enumerate(root))
        {
            var validated = await Spans(file, true);
            if (validated is null) continue; // a file with a fault of its own: compared by the converter's tests
            Assert.Equal(validated, await Spans(file, false));
            files++;
        }
        Assert.True(files > 100, $"only {files} shared files compared");
    }

    private static async Task<List<(long, int)>?> Spans(string file, bool validate)
    {
        await using var stream = File.OpenRead(file);
        using var scanner = new JsonRecordScanner(stream, validate);
        var spans = new List<(long, int)>();
        try
        {
            while (await scanner.NextAsync() is { } record) spans.Add((scanner.LastRecordOffset, record.Length));
        }
        catch (CloudTrailFormatException)
        {
            return null;
        }
        return spans;
    }

    [Fact]
    public async Task AMalformedRecordInsideAGzipFileIsReportedAndTheRecordsBeforeItAreKept()
    {
        var src = TempDir();
        static string Record(int i, string name) =>
            $$"""{"eventVersion":"1.08","eventTime":"2024-05-01T00:{{i:D2}}:00Z","eventName":"{{name}}","awsRegion":"eu-west-1","recipientAccountId":"000123456789","eventID":"{{Guid.NewGuid()}}"}""";
        var records = Enumerable.Range(0, 50).Select(i => Record(i, "E" + i)).ToList();
        records[30] = records[30].Replace("\"eventName\":\"E30\"", "\"eventName\":\"E30\" \"oops\"");
        var path = Path.Combine(src, "bad.json.gz");
        await using (var gz = new GZipStream(File.Create(path), CompressionLevel.Fastest))
            gz.Write(Encoding.UTF8.GetBytes("{\"Records\":[" + string.Join(",", records) + "]}"));
        File.WriteAllText(Path.Combine(src, "good.json"), "{\"Records\":[" + Record(0, "G0") + "]}");

        var converter = new DatasetConverter();
        var r = await converter.RunAsync(Sources(src), new ConversionOptions { Destination = Path.Combine(TempDir(), "ds"), ThrottleLimit = 2 }, CancellationToken.None);
        var issue = Assert.Single(converter.Issues);
        Assert.Equal(ReadFaultKind.MalformedJson, issue.Kind);
        Assert.Contains("bad.json.gz", issue.Message);
        Assert.Contains("record 30", issue.Message);
        Assert.Equal(30L, issue.RecordIndex);
        Assert.Equal(1, r.FilesFailed);
        Assert.Equal(31, r.EventsWritten); // 30 before the fault, and the good file
    }
}
