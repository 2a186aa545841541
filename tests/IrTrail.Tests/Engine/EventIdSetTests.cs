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
}
