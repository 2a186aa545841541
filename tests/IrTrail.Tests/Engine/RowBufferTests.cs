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
        Assert.True(rows.ApproxBytes < 256L * (DatasetColumns.Count * 8 + 25) + 1, $"{rows.ApproxBytes} bytes held after Clear");
    }

    /// <summary>A spilled or copied row keeps everything a row holds, the presence of sessionContext's objects included.</summary>
    [Fact]
    public void ARowSurvivesSpillAndCopyWhole()
    {
        var rows = new RowBuffer();
        rows.BeginRow(64);
        rows.Set(DatasetColumns.EventName, "GetObject"u8);
        rows.SetBool(DatasetColumns.ReadOnly, true);
        rows.SetTime(638_000_000_000_000_000);
        rows.SetRecordIndex(41);
        rows.SetStructPresent(DatasetColumns.AttributesBit);
        rows.SetStructPresent(DatasetColumns.SessionIssuerBit);
        rows.EndRow();

        var bytes = new byte[rows.SerializedSize(0)];
        rows.Serialize(0, bytes);
        var back = new RowBuffer();
        back.AppendSerialized(bytes);
        var copy = new RowBuffer();
        copy.CopyRow(back, 0);

        foreach (var r in new[] { back, copy })
        {
            Assert.Equal("GetObject"u8.ToArray(), r.Get(0, DatasetColumns.EventName).ToArray());
            Assert.True(r.IsNull(0, DatasetColumns.EventSource));
            Assert.Equal(true, r.Bool(0, DatasetColumns.ReadOnly));
            Assert.Null(r.Bool(0, DatasetColumns.ManagementEvent));
            Assert.Equal((638_000_000_000_000_000L, 41L), (r.Time(0), r.RecordIndex(0)));
            Assert.Equal(DatasetColumns.AttributesBit | DatasetColumns.SessionIssuerBit, r.StructBits(0));
        }
    }
}
