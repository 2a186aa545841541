using System.Collections.Specialized;
using System.Text;
using IrTrail.Core.Model;
using IrTrail.Core.Reading;

namespace IrTrail.Tests.Engine;

public class CloudTrailRecordParserTests
{
    private static CloudTrailEvent Parse(string json) => CloudTrailRecordParser.Parse(Encoding.UTF8.GetBytes(json), "src", 0);

    [Theory]
    [InlineData("2021-07-30T01:02:03Z", "2021-07-30T01:02:03.0000000Z")]
    [InlineData("2021-07-30T01:02:03.123Z", "2021-07-30T01:02:03.1230000Z")]
    [InlineData("2022-12-11 00:00:00.000000000", "2022-12-11T00:00:00.0000000Z")]
    [InlineData("2022-12-11 00:00:00", "2022-12-11T00:00:00.0000000Z")]
    [InlineData("2021-07-30T03:02:03+02:00", "2021-07-30T01:02:03.0000000Z")]
    public void EventTime_is_normalised_to_utc(string text, string expected)
    {
        var e = Parse($$"""{"eventTime":"{{text}}"}""");
        Assert.Equal(DateTimeKind.Utc, e.EventTime!.Value.Kind);
        Assert.Equal(expected, e.EventTime!.Value.ToString("O"));
        Assert.Equal(text, e.EventTimeText);
    }

    [Theory]
    [InlineData("redacted")]
    [InlineData("...")]
    public void Unparseable_eventTime_is_kept_as_text(string text)
    {
        var e = Parse($$"""{"eventTime":"{{text}}","eventName":"X"}""");
        Assert.Null(e.EventTime);
        Assert.Equal(text, e.EventTimeText);
    }

    [Fact]
    public void Booleans_written_as_strings_normalise()
    {
        var e = Parse("""{"eventID":"1","readOnly":"true","managementEvent":false,"sessionCredentialFromConsole":"true"}""");
        Assert.True(e.ReadOnly);
        Assert.False(e.ManagementEvent);
        Assert.True(e.SessionCredentialFromConsole);
    }

    [Fact]
    public void Blobs_keep_their_original_text_and_parse_on_demand()
    {
        const string rp = """{"bucketName":"b","tagging":"","Tagging":{"TagSet":{"Tag":{"Key":"k"}}}}""";
        const string aed = """{"bytesTransferredIn":0.0,"bytesTransferredOut":12,"x":1e3}""";
        var e = Parse($$"""{"eventID":"1","requestParameters":{{rp}},"additionalEventData":{{aed}}}""");
        Assert.Equal(rp, e.RequestParameters!.Json);
        Assert.Equal(rp, e.RequestParameters.ToString());
        Assert.Equal(aed, e.AdditionalEventData!.Json);
        Assert.Equal("b", e.RequestParameters["bucketName"]);
        Assert.Equal("", e.RequestParameters["tagging"]);           // both case variants survive
        Assert.IsType<OrderedDictionary>(e.RequestParameters["Tagging"]);
        Assert.Equal("b", e.RequestParameters["BUCKETNAME"]);       // case-insensitive fallback
        Assert.Equal(0.0m, e.AdditionalEventData["bytesTransferredIn"]); // a float stays non-integer
        Assert.IsType<decimal>(e.AdditionalEventData["bytesTransferredIn"]);
        Assert.IsType<long>(e.AdditionalEventData["bytesTransferredOut"]);
    }

    [Fact]
    public void A_blob_that_is_not_an_object_keeps_its_value()
    {
        var e = Parse("""{"eventID":"1","requestParameters":"a string","resources":[{"ARN":"arn:x"}]}""");
        Assert.Equal("\"a string\"", e.RequestParameters!.Json);
        Assert.Equal("a string", e.RequestParameters.Value);
        Assert.Empty(e.RequestParameters.Keys);
        Assert.Single((object?[])e.Resources!.Value!);
    }

    [Fact]
    public void UserIdentity_is_typed_with_session_context()
    {
        var e = Parse("""
        {"eventID":"1","userIdentity":{"type":"AssumedRole","principalId":"AROA:i-0abc","arn":"arn:aws:sts::1:assumed-role/r/i-0abc",
          "accountId":"000000000001","accessKeyId":"ASIA1","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROA","arn":"arn:aws:iam::1:role/r","accountId":"1","userName":"r"},
          "attributes":{"creationDate":"2021-07-30T00:00:00Z","mfaAuthenticated":"false"},"ec2RoleDelivery":"2.0"},"extra":"kept"}}
        """);
        var u = e.UserIdentity!;
        Assert.Equal("AssumedRole", u.Type);
        Assert.Equal("000000000001", u.AccountId);
        Assert.Equal("r", u.SessionContext!.SessionIssuer!.UserName);
        Assert.False(u.SessionContext.Attributes!.MfaAuthenticated);
        Assert.Equal("2.0", u.SessionContext.Ec2RoleDelivery);
        Assert.Contains("\"extra\":\"kept\"", u.Json!.Json);
        Assert.Equal("r", e.Principal);
    }

    [Fact]
    public void Unknown_and_mistyped_fields_are_kept_verbatim()
    {
        var e = Parse("""{"eventID":"1","@timestamp":"t","newField":{"a":[1]},"eventName":42,"readOnly":"maybe"}""");
        Assert.Null(e.EventName);
        Assert.Null(e.ReadOnly);
        Assert.Equal("""{"@timestamp":"t","newField":{"a":[1]},"eventName":42,"readOnly":"maybe"}""", e.AdditionalFields!.Json);
    }

    [Fact]
    public void Lower_cased_keys_fill_the_typed_properties_and_are_kept_verbatim()
    {
        var e = Parse("""{"eventname":"GetObject","eventsource":"s3.amazonaws.com","eventtime":"2022-01-01T00:00:00Z"}""");
        Assert.Equal("GetObject", e.EventName);
        Assert.Equal("s3.amazonaws.com", e.EventSource);
        Assert.NotNull(e.EventTime);
        Assert.Contains("\"eventname\":\"GetObject\"", e.AdditionalFields!.Json);
    }

    [Fact]
    public void An_object_without_CloudTrail_fields_is_refused()
    {
        var ex = Assert.Throws<CloudTrailFormatException>(() => Parse("""{"name":"package"}"""));
        Assert.Equal(ReadFaultKind.NotCloudTrail, ex.Kind);
    }
}
