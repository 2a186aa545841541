using System.Text.Json;
using IrTrail.Core.Dataset;
using Xunit;
using static IrTrail.Tests.Engine.DatasetTestHelpers;

namespace IrTrail.Tests.Engine;

/// <summary>The project's own small fixtures: the awkward shapes the dataset must keep, and incremental runs.</summary>
public sealed class DatasetRoundTripTests
{
    private const string Awkward = """
        {"Records":[
        {"eventVersion":"1.08","eventTime":"2024-05-01T10:00:00.123Z","eventSource":"s3.amazonaws.com","eventName":"Put\u0042ucket","awsRegion":"eu-west-1",
         "eventID":"aaaaaaaa-0000-0000-0000-000000000001","recipientAccountId":"000123456789","readOnly":"true","managementEvent":false,
         "requestParameters":{"tagging":"a","Tagging":"b"},"responseElements":null,"additionalEventData":{"x":1.0,"y":2,"z":1e3},
         "userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::000123456789:assumed-role/r/s","newField":{"k":1},
           "sessionContext":{"attributes":{"creationDate":"2024-05-01T09:00:00Z","mfaAuthenticated":"false"}}},
         "foo":[1,2,{"b":null}],"EventName":"case variant"},
        {"eventVersion":"1.08","eventTime":"2024-05-01T11:00:00Z","eventName":"GetObject","awsRegion":"eu-west-1","recipientAccountId":"000123456789",
         "userIdentity":{"type":"IAMUser","accountId":"000123456789","sessionContext":{"sessionIssuer":{"type":"Role","userName":"r"},"webIdFederationData":{}}},
         "tlsDetails":{"tlsVersion":"TLSv1.3"},"sessionCredentialFromConsole":"false"},
        {"eventVersion":"1.08","eventName":"NoTime","awsRegion":"eu-west-1","eventTime":null,"userIdentity":null,"eventID":"aaaaaaaa-0000-0000-0000-000000000003"},
        {"eventVersion":"1.08","eventTime":"2024-05-01T12:00:00Z","eventName":"DescribeThings","awsRegion":"eu-west-1","recipientAccountId":"000123456789",
         "eventID":"aaaaaaaa-0000-0000-0000-000000000004","requestParameters":{},"responseElements":null,"readOnly":true,
         "userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::000123456789:user/bob","sessionContext":{"sessionIssuer":{},"webIdFederationData":{},
           "attributes":{"creationDate":"2024-05-01T11:00:00Z","mfaAuthenticated":"true"}}}},
        {"eventVersion":"1.08","eventTime":"2024-05-01T13:00:00Z","eventName":"Reserved","awsRegion":"eu-west-1","recipientAccountId":"000123456789",
         "eventID":"aaaaaaaa-0000-0000-0000-000000000005","irtrail:absent":["responseElements"],"irtrail:x":1,"irtrail:y":2,"requestParameters":null}
        ]}
        """;

    [Fact]
    public async Task AwkwardRecordsRebuildExactlyAndTypedColumnsAreRight()
    {
        var src = TempDir();
        var dest = Path.Combine(TempDir(), "ds");
        try
        {
            var file = Path.Combine(src, "awkward.json");
            File.WriteAllText(file, Awkward);
            var r = await ConvertAsync(src, dest);
            Assert.Equal(5, r.EventsWritten);
            Assert.Equal(1, r.UnknownTimeEvents);
            var rows = Rows(dest).OrderBy(x => Convert.ToInt64(x["sourceRecord"])).ToList();
            using var doc = JsonDocument.Parse(Awkward);
            var originals = doc.RootElement.GetProperty("Records").EnumerateArray().ToList();
            for (var i = 0; i < originals.Count; i++)
            {
                using var back = JsonDocument.Parse(RecordRebuilder.Rebuild(rows[i]));
                Assert.True(JsonEqual(originals[i], back.RootElement), $"record {i}: {RecordRebuilder.Rebuild(rows[i])}");
            }
            Assert.Equal("PutBucket", rows[0]["eventName"]);
            Assert.Equal(true, rows[0]["readOnly"]);
            Assert.Equal(false, rows[0]["managementEvent"]);
            Assert.Equal(new DateTime(2024, 5, 1, 10, 0, 0, 123, DateTimeKind.Utc), rows[0]["eventTime"]);
            Assert.Equal("""{"tagging":"a","Tagging":"b"}""", rows[0]["requestParameters"]);
            Assert.Equal("""{"x":1.0,"y":2,"z":1e3}""", rows[0]["additionalEventData"]);
            Assert.Null(rows[0]["responseElements"]);
            Assert.Equal("000123456789", rows[0]["account_id"]);
            Assert.Equal("unknown", rows[2]["event_date"]);
            Assert.Equal(false, rows[1]["sessionCredentialFromConsole"]);
            var ui = (System.Collections.IDictionary)rows[0]["userIdentity"]!;
            Assert.Equal("AssumedRole", ui["type"]);
            // An ordinary call: its null responseElements is the NULL column and its empty sessionIssuer a struct of
            // NULLs (an absent one is a NULL struct), so otherFields stays empty.
            Assert.Null(rows[3]["otherFields"]);
            Assert.Null(rows[3]["responseElements"]);
            var sc3 = (System.Collections.IDictionary)((System.Collections.IDictionary)rows[3]["userIdentity"]!)["sessionContext"]!;
            var issuer = Assert.IsAssignableFrom<System.Collections.IDictionary>(sc3["sessionIssuer"]);
            Assert.All(issuer.Values.Cast<object?>(), Assert.Null);
            Assert.Null(((System.Collections.IDictionary)((System.Collections.IDictionary)rows[1]["userIdentity"]!)["sessionContext"]!)["attributes"]);
            // A record without the keys says so; input fields named like IrTrail's own key keep one more prefix.
            Assert.Contains("\"irtrail:absent\":[\"requestParameters\",\"responseElements\"]", (string)rows[1]["otherFields"]!);
            using (var reserved = JsonDocument.Parse((string)rows[4]["otherFields"]!))
                Assert.Equal(["irtrail:irtrail:absent", "irtrail:irtrail:x", "irtrail:irtrail:y", "irtrail:absent"],
                    reserved.RootElement.EnumerateObject().Select(p => p.Name).ToList());
        }
        finally { Directory.Delete(src, true); Directory.Delete(Path.GetDirectoryName(dest)!, true); }
    }

    private static string Event(string id, string time, string name) =>
        $$"""{"eventVersion":"1.08","eventTime":"{{time}}","eventName":"{{name}}","awsRegion":"us-east-1","recipientAccountId":"111122223333","eventID":"{{id}}"}""";

    [Fact]
    public async Task NewInputsAppendAndAreDeduplicatedAgainstTheDataset()
    {
        var src = TempDir();
        var dest = Path.Combine(TempDir(), "ds");
        try
        {
            File.WriteAllText(Path.Combine(src, "a.json"), "{\"Records\":[" + Event("00000000-0000-0000-0000-00000000000a", "2024-01-01T00:00:00Z", "A") + "," +
                Event("00000000-0000-0000-0000-00000000000b", "2024-01-02T00:00:00Z", "B") + "]}");
            var first = await ConvertAsync(src, dest);
            Assert.Equal(2, first.EventsWritten);
            var before = Directory.GetFiles(dest, "*.parquet", SearchOption.AllDirectories).ToDictionary(f => f, File.GetLastWriteTimeUtc);

            File.WriteAllText(Path.Combine(src, "b.json"), "{\"Records\":[" + Event("00000000-0000-0000-0000-00000000000b", "2024-01-02T00:00:00Z", "B again") + "," +
                Event("00000000-0000-0000-0000-00000000000c", "2024-01-02T01:00:00Z", "C") + "," +
                Event("NOT-A-GUID", "2024-01-02T02:00:00Z", "D") + "," + Event("NOT-A-GUID", "2024-01-02T02:00:00Z", "D again") + "]}");
            var second = await ConvertAsync(src, dest);
            Assert.Equal(1, second.FilesUnchanged);
            Assert.Equal(1, second.FilesRead);
            Assert.Equal(2, second.Duplicates);
            Assert.Equal(2, second.EventsWritten);
            foreach (var (f, t) in before) Assert.Equal(t, File.GetLastWriteTimeUtc(f)); // old files are not rewritten
            Assert.Equal(4L, Convert.ToInt64(Scalar(dest, "SELECT count(*) FROM cloudtrail")));
            Assert.Equal("B", Scalar(dest, "SELECT eventName FROM cloudtrail WHERE eventID = '00000000-0000-0000-0000-00000000000b'"));

            var manifest = File.ReadAllLines(Path.Combine(dest, "_irtrail", "manifest.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
            Assert.Equal(2, manifest.Count);
            Assert.All(manifest, m => Assert.Equal(64, m.GetProperty("sha256").GetString()!.Length));

            var kept = await new DatasetConverter().RunAsync(Sources(src), new ConversionOptions { Destination = Path.Combine(Path.GetDirectoryName(dest)!, "all"), KeepDuplicates = true }, CancellationToken.None);
            Assert.Equal(6, kept.EventsWritten);
            Assert.Equal(0, kept.Duplicates);
        }
        finally { Directory.Delete(src, true); Directory.Delete(Path.GetDirectoryName(dest)!, true); }
    }
}

public sealed class DatasetLockTests
{
    [Fact]
    public async Task ASecondWriterIsRefusedWhileTheFirstHoldsTheLock()
    {
        var dest = Path.Combine(DatasetTestHelpers.TempDir(), "ds");
        try
        {
            var holder = new DatasetManifest(dest);
            holder.Open();
            try
            {
                var ex = await Assert.ThrowsAsync<DatasetException>(() =>
                    new DatasetConverter().RunAsync([], new ConversionOptions { Destination = dest }, CancellationToken.None));
                Assert.Contains("writer.lock", ex.Message);
            }
            finally { holder.Close(); }
            var ok = await new DatasetConverter().RunAsync([], new ConversionOptions { Destination = dest }, CancellationToken.None);
            Assert.Equal(0, ok.FilesWritten);
        }
        finally { Directory.Delete(Path.GetDirectoryName(dest)!, true); }
    }
}
