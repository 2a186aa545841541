using IrTrail.Core.Dataset;
using Xunit;

namespace IrTrail.Tests.Engine;

public sealed class RowBufferTests
{
    private static void AddRows(RowBuffer rows, int count)
    {
        for (var i = 0; i < count; i++)
        {
            rows.BeginRow(64);
            rows.Set(DatasetColumns.EventName, "GetObject"u8);
            rows.EndRow();
        }
    }

    /// <summary>A reused buffer keeps its index arrays, but must not look full because of them: the converter cuts
    /// chunks by FillBytes, and a buffer that looked full when empty would hand over one row at a time.</summary>
    [Fact]
    public void AReusedBufferIsEmptyByFillButKeepsItsCapacity()
    {
        var rows = new RowBuffer(bigChunks: true);
        AddRows(rows, 20_000);
        var fullFill = rows.FillBytes;
        Assert.True(fullFill > 20_000L * DatasetColumns.Count * 8);
        rows.Clear();
        AddRows(rows, 1);
        Assert.True(rows.FillBytes < 1024 * 1024 + 1024, $"one row fills {rows.FillBytes} bytes"); // one 1 MB arena chunk
        Assert.True(rows.ApproxBytes > 20_000L * DatasetColumns.Count * 8, "the index arrays are kept for the next fill");
        Assert.Equal("GetObject"u8.ToArray(), rows.Get(0, DatasetColumns.EventName).ToArray());
    }

    [Fact]
    public void APartitionBufferGivesItsIndexArraysBack()
    {
        var rows = new RowBuffer();
        AddRows(rows, 20_000);
        rows.Clear();
        Assert.True(rows.ApproxBytes < 256L * (DatasetColumns.Count * 8 + 24) + 1, $"{rows.ApproxBytes} bytes held after Clear");
    }
}
