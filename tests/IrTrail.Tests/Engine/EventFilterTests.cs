using IrTrail.Core.Model;
using IrTrail.Core.Reading;

namespace IrTrail.Tests.Engine;

public class EventFilterTests
{
    private static CloudTrailEvent Event(string name = "GetObject", string? error = null, bool? ro = true, string time = "2024-01-01T12:00:00Z") => new()
    {
        EventName = name,
        EventSource = "s3.amazonaws.com",
        EventTime = DateTime.Parse(time, null, System.Globalization.DateTimeStyles.AdjustToUniversal),
        ErrorCode = error,
        ReadOnly = ro,
        SourceIPAddress = "5.205.62.253",
        UserIdentity = new CloudTrailUserIdentity
        {
            Arn = "arn:aws:sts::1:assumed-role/WebRole/i-0123456789abcdef0",
            AccessKeyId = "ASIAXYZ",
            SessionContext = new CloudTrailSessionContext { SessionIssuer = new CloudTrailSessionIssuer { UserName = "WebRole" } },
        },
    };

    [Theory]
    [InlineData("Get*", true)]
    [InlineData("get?bject", true)]
    [InlineData("[GP]etObject", true)]
    [InlineData("PutObject", false)]
    [InlineData("GETOBJECT", true)]
    public void EventName_takes_wildcards(string pattern, bool match) =>
        Assert.Equal(match, new EventFilter { EventName = [pattern] }.Matches(Event()));

    [Fact]
    public void Several_values_mean_any_of() =>
        Assert.True(new EventFilter { EventName = ["PutObject", "GetObject"] }.Matches(Event()));

    [Fact]
    public void ErrorCode_star_keeps_failures_only()
    {
        var f = new EventFilter { ErrorCode = ["*"] };
        Assert.False(f.Matches(Event()));
        Assert.True(f.Matches(Event(error: "AccessDenied")));
    }

    [Fact]
    public void Time_window_is_inclusive_and_utc()
    {
        var f = new EventFilter { StartTime = new DateTime(2024, 1, 1, 12, 0, 0, DateTimeKind.Utc), EndTime = new DateTime(2024, 1, 1, 12, 0, 0, DateTimeKind.Utc) };
        Assert.True(f.Matches(Event()));
        Assert.False(f.Matches(Event(time: "2024-01-01T12:00:01Z")));
    }

    [Fact]
    public void ReadOnly_and_write_only()
    {
        Assert.True(new EventFilter { ReadOnly = true }.Matches(Event(ro: true)));
        Assert.False(new EventFilter { ReadOnly = true }.Matches(Event(ro: false)));
        Assert.True(new EventFilter { ReadOnly = false }.Matches(Event(ro: null)));
    }

    [Theory]
    [InlineData("WebRole", true)]
    [InlineData("i-0123456789abcdef0", true)]
    [InlineData("alice", false)]
    public void UserName_matches_user_role_or_role_session(string name, bool match) =>
        Assert.Equal(match, new EventFilter { UserName = [name] }.Matches(Event()));

    [Fact]
    public void Ip_and_key_filters()
    {
        Assert.True(new EventFilter { SourceIPAddress = ["5.205.62.*"], AccessKeyId = ["ASIAXYZ"] }.Matches(Event()));
        Assert.False(new EventFilter { AccessKeyId = ["AKIA*"] }.Matches(Event()));
    }
}
