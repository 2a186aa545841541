using System.Text;
using IrTrail.Core.Dataset;
using IrTrail.Core.Reading;
using Xunit;

namespace IrTrail.Tests.Engine;

public sealed class CloudTrailColumnMapperTests
{
    private static readonly string[] KnownNames = DatasetColumns.TopLevel.Select(c => c.Name)
        .Concat(DatasetColumns.TopLevelBools.Select(c => c.Name)).Append("eventTime").Append("userIdentity").ToArray();

    /// <summary>The known-name table is probed about 25 times per record: each known name should be found at its
    /// first slot (a collision would still be found, one probe later, so only this test notices it).</summary>
    [Fact]
    public void Every_known_top_level_name_has_a_slot_of_its_own()
    {
        var slots = KnownNames.Select(n => CloudTrailColumnMapper.KnownSlot(Encoding.UTF8.GetBytes(n))).ToList();
        Assert.Equal(KnownNames.Length, slots.Distinct().Count());
    }

    /// <summary>Names near the known ones (case, length, a shared prefix) are not taken for them: they go to
    /// otherFields verbatim, and the known field of the same record still gets its column.</summary>
    [Fact]
    public void Names_like_known_ones_stay_in_otherFields()
    {
        var json = """{"eventTime":"2024-01-02T03:04:05Z","eventtime":"x","eventTyp":"y","eventTypes":"z","eventName":"GetObject","eventType":"AwsApiCall","ab":1,"eventID":"3e1b7c2a-90d4-4f6e-8a1b-0c2d3e4f5a6b","requestParameters":null,"responseElements":null}"""u8;
        var rows = new RowBuffer();
        Assert.Equal(CloudTrailColumnMapper.Result.Row, new CloudTrailColumnMapper().Map(json, rows, "f"u8, 0, true));
        Assert.Equal("GetObject", Encoding.UTF8.GetString(rows.Get(0, DatasetColumns.EventName)));
        Assert.Equal("AwsApiCall", Encoding.UTF8.GetString(rows.Get(0, DatasetColumns.EventType)));
        Assert.Equal(new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc).Ticks, rows.Time(0));
        Assert.Equal("""{"eventtime":"x","eventTyp":"y","eventTypes":"z","ab":1}""",
            Encoding.UTF8.GetString(rows.Get(0, DatasetColumns.OtherFields)));
    }
}
