using IrTrail.Core.Dataset;
using Xunit;

namespace IrTrail.Tests.Engine;

public sealed class UuidSetTests
{
    /// <summary>Random, sequential and zero IDs, each added twice in a shuffled order: the set answers as a HashSet
    /// does at every step, through many growths.</summary>
    [Fact]
    public void Answers_as_a_HashSet_does()
    {
        var random = new Random(5);
        var ids = new List<Uuid> { new(0, 0), new(0, 1), new(1, 0), new(ulong.MaxValue, ulong.MaxValue) };
        for (var i = 0; i < 60_000; i++) ids.Add(new Uuid((ulong)random.NextInt64(), (ulong)random.NextInt64()));
        for (var i = 0; i < 60_000; i++) ids.Add(new Uuid(0x0123456789abcdefUL, (ulong)i)); // sharing their high half
        for (var i = 0; i < 20_000; i++) ids.Add(new Uuid((ulong)i << 32, 0)); // sharing their low half
        var twice = ids.Concat(ids).OrderBy(_ => random.Next()).ToList();

        var set = new UuidSet();
        var reference = new HashSet<Uuid>();
        foreach (var id in twice) Assert.Equal(reference.Add(id), set.Add(id));
        Assert.Equal(reference.Count, set.Count);
        Assert.Equal(ids.Distinct().Count(), set.Count);
    }

    /// <summary>At most three quarters full, at least three eighths once grown: 21-43 bytes per ID.</summary>
    [Fact]
    public void Holds_21_to_43_bytes_per_id()
    {
        var set = new UuidSet();
        var random = new Random(9);
        for (var i = 1; i <= 300_000; i++)
        {
            set.Add(new Uuid((ulong)random.NextInt64(), (ulong)i));
            if (i > 1000) Assert.InRange(set.Bytes / (double)set.Count, 16.0 * 4 / 3, 16.0 * 8 / 3 + 0.01);
        }
    }
}
