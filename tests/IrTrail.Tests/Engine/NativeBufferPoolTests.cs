using Apache.Arrow;
using Apache.Arrow.C;
using IrTrail.Core.Dataset;
using Xunit;

namespace IrTrail.Tests.Engine;

/// <summary>The Arrow batches' native blocks come back to the pool when the consumer (DuckDB) releases the exported
/// array, and only then.</summary>
public sealed unsafe class NativeBufferPoolTests
{
    [Fact]
    public void ABlockIsReusedOnlyAfterTheExportedArrayIsReleased()
    {
        using var pool = new NativeBufferPool();
        var block = pool.Rent(100_000);
        Assert.Equal(100_000, block.Memory.Length);
        block.GetSpan().Fill(7);

        var array = new Int64Array(new ArrowBuffer(block.Memory[..80_000]), ArrowBuffer.Empty, 10_000, 0, 0);
        var c = CArrowArray.Create();
        CArrowArrayExporter.ExportArray(array, c);

        // Exported and not released: the block is still in use, so a second rent gets another one.
        var other = pool.Rent(100_000);
        Assert.NotSame(block, other);
        Assert.Equal(7L * 0x0101010101010101, ((long*)c->buffers[1])[9_999]);

        CArrowArray.Free(c); // the consumer releases it: the block goes back to the pool
        Assert.Same(block, pool.Rent(90_000));
        Assert.Equal(90_000, block.Memory.Length);
    }

    [Fact]
    public void SizesAreRoundedToPowersOfTwoAndKeptApart()
    {
        using var pool = new NativeBufferPool();
        var small = pool.Rent(10);
        using (small.Memory.Pin()) { }
        // A freed 64 KB block does not serve a 1 MB request.
        var big = pool.Rent(1 << 20);
        Assert.NotSame(small, big);
        Assert.Same(small, pool.Rent(65_536));
    }
}
