using System.Text;
using System.Text.Json;
using IrTrail.Core.Reading;
using Xunit;

namespace IrTrail.Tests.Engine;

/// <summary>The converter's mapper validates records with JsonWalker instead of Utf8JsonReader: both must accept and
/// reject the same documents, or the converter and Get-IrTrailEvent would disagree on which files are malformed.</summary>
public sealed class JsonWalkerTests
{
    private static bool ReaderAccepts(byte[] json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            while (reader.Read()) { }
            return true;
        }
        catch (JsonException) { return false; }
    }

    private static bool WalkerAccepts(byte[] json)
    {
        try
        {
            var w = new JsonWalker(json);
            w.SkipValue(0);
            w.ExpectEnd();
            return true;
        }
        catch (JsonException) { return false; }
    }

    [Theory]
    [InlineData("""{"a":1}""")]
    [InlineData("""{}""")]
    [InlineData("""[]""")]
    [InlineData(""" { "a" : [ 1 , 2.5 , -0 , -0.0e+1 , 1E5 , true , false , null , "x" , { } , [ ] ] } """)]
    [InlineData("""{"a":"\"\\\/\b\f\n\r\t\u00e9\uD83D\uDE00"}""")]
    [InlineData("""{"a":"\ud800"}""")] // a lone surrogate escape: the reader accepts it too
    [InlineData("""{"a":"x","a":"y"}""")] // repeated keys are JSON
    [InlineData("""{"":""}""")]
    [InlineData("""{"a":01}""")]
    [InlineData("""{"a":-}""")]
    [InlineData("""{"a":1.}""")]
    [InlineData("""{"a":.5}""")]
    [InlineData("""{"a":1e}""")]
    [InlineData("""{"a":1e+}""")]
    [InlineData("""{"a":+1}""")]
    [InlineData("""{"a":12a}""")]
    [InlineData("""{"a":truex}""")]
    [InlineData("""{"a":nul}""")]
    [InlineData("""{"a":True}""")]
    [InlineData("""{"a":1,}""")]
    [InlineData("""{"a":[1,]}""")]
    [InlineData("""{"a":[1 2]}""")]
    [InlineData("""{"a" 1}""")]
    [InlineData("""{a:1}""")]
    [InlineData("""{"a":1}}""")]
    [InlineData("""{"a":1} x""")]
    [InlineData("""{"a":[1}""")]
    [InlineData("""{"a":{"b":1]}""")]
    [InlineData("""{"a":"\x"}""")]
    [InlineData("""{"a":"\u12G4"}""")]
    [InlineData("""{"a":"\u12"}""")]
    [InlineData("""{"a":"abc""")]
    [InlineData("""{"a":/*c*/1}""")]
    [InlineData("""{,"a":1}""")]
    [InlineData("""{"a":1,,"b":2}""")]
    [InlineData("""{"a":'x'}""")]
    [InlineData("")]
    [InlineData("   ")]
    public void Accepts_and_rejects_what_Utf8JsonReader_does(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        Assert.Equal(ReaderAccepts(bytes), WalkerAccepts(bytes));
    }

    [Theory]
    [InlineData(0x09)]
    [InlineData(0x0A)]
    [InlineData(0x00)]
    [InlineData(0x1F)]
    [InlineData(0x7F)]
    [InlineData(0xFF)] // not UTF-8: neither checks
    [InlineData(0x0C)]
    public void Raw_bytes_inside_and_outside_strings(int b)
    {
        foreach (var at in new[] { 3, 7, 20, 45 }) // in names and a value, in the 32-byte blocks and the tail after them
        {
            var bytes = Encoding.UTF8.GetBytes("""{"ab":"cd","efghijklmnopqrstuvwxyz0123456789":1}""");
            bytes[at] = (byte)b;
            Assert.Equal(ReaderAccepts(bytes), WalkerAccepts(bytes));
        }
    }

    [Theory]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(65)]
    public void Depth_is_limited_as_the_reader_limits_it(int levels)
    {
        var json = Encoding.UTF8.GetBytes(new string('[', levels) + new string(']', levels));
        Assert.Equal(ReaderAccepts(json), WalkerAccepts(json));
        var objects = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("""{"a":""", levels)) + "1" + new string('}', levels));
        Assert.Equal(ReaderAccepts(objects), WalkerAccepts(objects));
    }

    /// <summary>Thousands of damaged copies of event-like records (a byte replaced, dropped or added): the walker and
    /// the reader must agree on every one, and the undamaged ones must pass.</summary>
    [Fact]
    public void Damaged_records_are_judged_as_the_reader_judges_them()
    {
        string[] records =
        [
            """{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","principalId":"AROA:x","sessionContext":{"attributes":{"creationDate":"2024-01-01T00:00:00Z","mfaAuthenticated":"false"}}},"eventTime":"2024-01-01T00:00:01Z","requestParameters":{"bucketName":"b","Tagging":"","tagging":[{"Key":"k\"q","Value":"v\u00e9"}],"size":-12.5e-3},"responseElements":null,"readOnly":true,"resources":[{"ARN":"arn:aws:s3:::b","type":"AWS::S3::Bucket"}],"eventID":"3e1b7c2a-90d4-4f6e-8a1b-0c2d3e4f5a6b"}""",
            """{"eventTime":"2024-01-01T00:00:01Z","additionalEventData":{"bytesTransferredIn":0.0,"x-amz-id-2":"abc/def+ghi=","AuthenticationMethod":"AuthHeader","nested":[[1,2,[3,{"a":[]}]],{}]},"managementEvent":false,"tlsDetails":{"tlsVersion":"TLSv1.2"}}""",
        ];
        const string alphabet = "{}[]\",:\\ 019-+.eEtfnul/u\t\n\x01\x7f";
        var random = new Random(11);
        var checkedCount = 0;
        foreach (var record in records)
        {
            var original = Encoding.UTF8.GetBytes(record);
            Assert.True(WalkerAccepts(original));
            for (var n = 0; n < 4000; n++)
            {
                var bytes = new List<byte>(original);
                var at = random.Next(bytes.Count);
                var c = (byte)alphabet[random.Next(alphabet.Length)];
                switch (random.Next(3))
                {
                    case 0: bytes[at] = c; break;
                    case 1: bytes.RemoveAt(at); break;
                    default: bytes.Insert(at, c); break;
                }
                var damaged = bytes.ToArray();
                var expected = ReaderAccepts(damaged);
                Assert.True(expected == WalkerAccepts(damaged), $"reader {(expected ? "accepts" : "rejects")}: {Encoding.UTF8.GetString(damaged)}");
                checkedCount++;
            }
        }
        Assert.Equal(8000, checkedCount);
    }

    [Fact]
    public void A_fault_names_its_byte_in_the_record()
    {
        var ex = Assert.Throws<JsonException>(() =>
        {
            var w = new JsonWalker(Encoding.UTF8.GetBytes("""{"a":[1,2,x]}"""));
            w.SkipValue(0);
        });
        Assert.Contains("byte 10 of the record", ex.Message);
    }
}
