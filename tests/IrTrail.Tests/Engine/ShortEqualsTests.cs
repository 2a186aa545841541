using IrTrail.Core.Reading;
using Xunit;

namespace IrTrail.Tests.Engine;

public sealed class ShortEqualsTests
{
    /// <summary>At every length to 80 (inline loads up to 32, the runtime's comparison past it), at odd offsets: equal
    /// values are equal, and a value differing in any single byte, or one byte longer or shorter, is not.</summary>
    [Fact]
    public void Answers_as_SequenceEqual_at_every_length_and_position()
    {
        var random = new Random(7);
        var a = new byte[100];
        var b = new byte[100];
        random.NextBytes(a);
        for (var length = 0; length <= 80; length++)
        {
            foreach (var (offA, offB) in new[] { (0, 0), (1, 3), (5, 0), (7, 11) })
            {
                a.AsSpan(offA, length).CopyTo(b.AsSpan(offB));
                var x = a.AsSpan(offA, length);
                var y = b.AsSpan(offB, length);
                Assert.True(ShortEquals.Equal(x, y), $"equal, length {length}");
                for (var i = 0; i < length; i++)
                {
                    b[offB + i] ^= 0x20;
                    Assert.False(ShortEquals.Equal(x, y), $"byte {i} of {length} differs");
                    b[offB + i] ^= 0x20;
                }
                if (length > 0) Assert.False(ShortEquals.Equal(x, y[..^1]), $"shorter than {length}");
                Assert.False(ShortEquals.Equal(x, b.AsSpan(offB, length + 1)), $"longer than {length}");
            }
        }
    }

    [Fact]
    public void Compares_names_as_the_mapper_does()
    {
        Assert.True(ShortEquals.Equal("sessionCredentialFromConsole"u8, "sessionCredentialFromConsole"u8));
        Assert.False(ShortEquals.Equal("sessionCredentialFromConsole"u8, "sessionCredentialFromConsolE"u8));
        Assert.False(ShortEquals.Equal("eventTime"u8, "EventTime"u8));
        Assert.True(ShortEquals.Equal("true"u8, "true"u8));
        Assert.False(ShortEquals.Equal("true"u8, "True"u8));
        Assert.True(ShortEquals.Equal(""u8, ""u8));
    }
}
