using Xunit;
using IrTrail.Core.Aws;

namespace IrTrail.Tests.Engine;

public sealed class CloudTrailKeyTests
{
    [Theory]
    [InlineData("AWSLogs/342082656213/CloudTrail/us-west-1/2021/07/30/x.json.gz", null, "342082656213", LogFileKind.Log, "us-west-1")]
    [InlineData("trail/AWSLogs/o-abcdef1234/111122223333/CloudTrail-Digest/eu-west-1/2024/01/02/d.json.gz", "o-abcdef1234", "111122223333", LogFileKind.Digest, "eu-west-1")]
    [InlineData("a/b/AWSLogs/111122223333/CloudTrail-Insight/ap-southeast-2/2024/12/31/i.json.gz", null, "111122223333", LogFileKind.Insight, "ap-southeast-2")]
    public void ParsesTheStandardLayout(string key, string? org, string account, LogFileKind kind, string region)
    {
        var k = CloudTrailKey.TryParse(key)!;
        Assert.Equal(org, k.OrganizationId);
        Assert.Equal(account, k.Account);
        Assert.Equal(kind, k.Kind);
        Assert.Equal(region, k.Region);
        Assert.Equal(DateTimeKind.Utc, k.Date.Kind);
    }

    [Theory]
    [InlineData("AWSLogs/342082656213/CloudTrail/us-west-1/2021/07/30/")]
    [InlineData("AWSLogs/34208265621/CloudTrail/us-west-1/2021/07/30/x.json.gz")]
    [InlineData("AWSLogs/342082656213/Config/us-west-1/2021/07/30/x.json.gz")]
    [InlineData("AWSLogs/342082656213/CloudTrail/us-west-1/2021/13/30/x.json.gz")]
    [InlineData("notes.txt")]
    public void RejectsOtherKeys(string key) => Assert.Null(CloudTrailKey.TryParse(key));
}
