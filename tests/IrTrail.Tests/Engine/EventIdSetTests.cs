using System.Text;
using IrTrail.Core.Dataset;

namespace IrTrail.Tests.Engine;

public sealed class EventIdSetTests
{
    private static bool Add(EventIdSet set, string id) => set.Add(Encoding.UTF8.GetBytes(id));

    [Fact]
    public void Each_eventID_is_new_once_including_the_all_zero_UUID_and_other_shapes()
    {
        var set = new EventIdSet();
        var random = new Random(7);
        var ids = Enumerable.Range(0, 100_000).Select(_ =>
        {
            var b = new byte[16];
            random.NextBytes(b);
            return new Guid(b).ToString();
        }).ToList();
        // And UUIDs that differ in a few bytes only.
        ids.AddRange(Enumerable.Range(0, 20_000).Select(i => new Guid(Encoding.ASCII.GetBytes($"seq{i:D13}")).ToString()));
        Assert.All(ids, id => Assert.True(Add(set, id), id));
        Assert.All(ids, id => Assert.False(Add(set, id), id));

        Assert.True(Add(set, "00000000-0000-0000-0000-000000000000"));
        Assert.False(Add(set, "00000000-0000-0000-0000-000000000000"));
        // Not lower-case UUIDs: kept as text, so case still tells them apart.
        Assert.True(Add(set, ids[0].ToUpperInvariant()));
        Assert.False(Add(set, ids[0].ToUpperInvariant()));
        Assert.True(Add(set, "not-a-uuid"));
        Assert.False(Add(set, "not-a-uuid"));
        Assert.Equal(ids.Count + 3, set.Count);
    }

    [Theory]
    [InlineData("3e1b7c2a-90d4-4f6e-8a1b-0c2d3e4f5a6b", true)]
    [InlineData("00000000-0000-0000-0000-000000000000", true)]
    [InlineData("3E1B7C2A-90D4-4F6E-8A1B-0C2D3E4F5A6B", false)] // upper case stays a string of its own
    [InlineData("3e1b7c2a-90d4-4f6e-8a1b-0c2d3e4f5a6g", false)]
    [InlineData("3e1b7c2a-90d4-4f6e-8a1b-0c2d3e4f5a6", false)]
    [InlineData("3e1b7c2a90d4-4f6e-8a1b-0c2d3e4f5a6b-", false)]
    [InlineData("3e1b7c2a-90d4-4f6e-8a1b-0c2d3e4f5a6b ", false)]
    [InlineData("{e1b7c2a-90d4-4f6e-8a1b-0c2d3e4f5a6b", false)]
    public void Only_lower_case_UUIDs_are_kept_as_128_bits(string id, bool parsed)
    {
        Assert.Equal(parsed, EventIdSet.TryParseLowerUuid(Encoding.ASCII.GetBytes(id), out var value));
        if (parsed) Assert.Equal(UInt128.Parse(id.Replace("-", ""), System.Globalization.NumberStyles.HexNumber), new UInt128(value.Hi, value.Lo));
    }
}
