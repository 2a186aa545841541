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
        Assert.True(rows.ApproxBytes < 256L * RowBuffer.RowIndexBytes + 1, $"{rows.ApproxBytes} bytes held after Clear");
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

    /// <summary>CopyRow moves a row's slices as one range: every slot must come back as it was, whatever order the
    /// slices were written in, with short commits, empty values, NULLs, abandoned rows between and chunk boundaries.</summary>
    [Fact]
    public void CopiedRowsKeepEverySlotAcrossChunks()
    {
        var source = new RowBuffer(bigChunks: true);
        var expected = new List<byte[]?[]>();
        var random = new Random(7);
        for (var i = 0; i < 3000; i++)
        {
            var values = new byte[]?[DatasetColumns.Count];
            source.BeginRow(DatasetColumns.Count * 600);
            foreach (var slot in Enumerable.Range(0, DatasetColumns.Count).OrderBy(_ => random.Next()))
            {
                switch (random.Next(4))
                {
                    case 0: break; // NULL
                    case 1: values[slot] = []; source.Set(slot, []); break;
                    case 2:
                        // Reserved larger than committed, as an escaped string is.
                        var v = System.Text.Encoding.UTF8.GetBytes($"slot{slot}-row{i}-" + new string('x', random.Next(300)));
                        v.CopyTo(source.SliceSpace(v.Length + 50));
                        source.CommitSlice(slot, v.Length);
                        values[slot] = v;
                        break;
                    default:
                        values[slot] = System.Text.Encoding.UTF8.GetBytes($"{i}:{slot}");
                        source.Set(slot, values[slot]);
                        break;
                }
            }
            if (i % 10 == 3) { source.AbandonRow(); continue; }
            source.EndRow();
            expected.Add(values);
        }

        var copy = new RowBuffer(); // small chunks first: rows land in several chunks
        var total = 0L;
        for (var r = 0; r < source.Count; r++) total += copy.CopyRow(source, r);

        Assert.Equal(expected.Count, copy.Count);
        Assert.Equal(expected.Sum(v => v.Sum(x => (long)(x?.Length ?? 0))), total);
        for (var r = 0; r < expected.Count; r++)
            for (var slot = 0; slot < DatasetColumns.Count; slot++)
            {
                if (expected[r][slot] is null) Assert.True(copy.IsNull(r, slot), $"row {r} slot {slot} should be NULL");
                else Assert.Equal(expected[r][slot], copy.Get(r, slot).ToArray());
            }
    }
}
