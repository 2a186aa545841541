using IrTrail.Core.Dataset;
using Xunit;

namespace IrTrail.Tests.Engine;

public sealed class ShortCopyTests
{
    /// <summary>Every length around the 4/8/16/32-byte steps, at odd offsets: the bytes arrive, and not one byte past
    /// the value is touched.</summary>
    [Fact]
    public void Copies_exactly_the_value_at_every_length()
    {
        var random = new Random(3);
        for (var length = 0; length <= 80; length++)
            for (var offset = 0; offset < 3; offset++)
            {
                var source = new byte[length + 7];
                random.NextBytes(source);
                var destination = Enumerable.Repeat((byte)0xAA, length + 40).ToArray();
                ShortCopy.Copy(source.AsSpan(offset + 1, length), destination.AsSpan(offset, length + 20));
                Assert.Equal(source.AsSpan(offset + 1, length).ToArray(), destination.AsSpan(offset, length).ToArray());
                Assert.All(destination.AsSpan(0, offset).ToArray(), b => Assert.Equal(0xAA, b));
                Assert.All(destination.AsSpan(offset + length).ToArray(), b => Assert.Equal(0xAA, b));
            }
    }

    [Fact]
    public void A_destination_too_short_throws()
    {
        Assert.ThrowsAny<ArgumentException>(() => ShortCopy.Copy(new byte[5], new byte[4]));
        Assert.ThrowsAny<ArgumentException>(() => ShortCopy.Copy(new byte[40], new byte[39]));
    }
}
