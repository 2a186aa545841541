using Apache.Arrow;
using IrTrail.Core.Dataset;
using Xunit;

namespace IrTrail.Tests.Engine;

public sealed class ArrowRowsTests
{
    /// <summary>Every text column of a batch, gathered row by row: each value arrives whole and in the order asked for,
    /// NULL stays NULL and empty stays empty, across the row buffer's chunks, for columns with no value at all in the
    /// batch, some NULLs, or none.</summary>
    [Fact]
    public void Text_columns_carry_every_value_in_order()
    {
        var random = new Random(5);
        var rows = new RowBuffer();
        var textSlots = DatasetSchema.Leaves.Where(l => l.Kind == DatasetSchema.Kind.Text).Select(l => l.Slot).ToArray();
        for (var r = 0; r < 3000; r++)
        {
            rows.BeginRow(textSlots.Length * 120);
            foreach (var slot in textSlots)
            {
                // eventVersion never set (NULL in every row), eventName always (no NULLs), the rest NULL a third of the time.
                if (slot == DatasetColumns.EventVersion) continue;
                var kind = slot == DatasetColumns.EventName ? 1 : random.Next(3);
                if (kind == 0) continue;
                var value = new byte[random.Next(5) == 0 ? 0 : random.Next(1, 110)];
                random.NextBytes(value);
                rows.Set(slot, value);
            }
            rows.EndRow();
        }
        var order = Enumerable.Range(0, rows.Count).OrderBy(_ => random.Next()).ToArray();
        using var pool = new NativeBufferPool();
        foreach (var (start, count) in new[] { (0, 2048), (2048, 952), (17, 1) })
        {
            var batch = ArrowRows.Build(rows, order, start, count, pool);
            var leaf = 0;
            foreach (var array in Flatten(batch.Arrays))
            {
                var l = DatasetSchema.Leaves[leaf++];
                if (l.Kind != DatasetSchema.Kind.Text) continue;
                var text = (StringArray)array;
                Assert.Equal(count, text.Length);
                for (var i = 0; i < count; i++)
                {
                    var row = order[start + i];
                    if (rows.IsNull(row, l.Slot)) Assert.True(text.IsNull(i), $"slot {l.Slot}, row {row}: NULL expected");
                    else
                    {
                        Assert.False(text.IsNull(i), $"slot {l.Slot}, row {row}: a value expected");
                        Assert.True(rows.Get(row, l.Slot).SequenceEqual(text.GetBytes(i)), $"slot {l.Slot}, row {row}");
                    }
                }
                if (l.Slot == DatasetColumns.EventVersion) Assert.Equal(count, text.NullCount);
                if (l.Slot == DatasetColumns.EventName) Assert.Equal(0, text.NullCount);
            }
            Assert.Equal(DatasetSchema.Leaves.Length, leaf);
        }
    }

    private static IEnumerable<IArrowArray> Flatten(IEnumerable<IArrowArray> arrays)
    {
        foreach (var a in arrays)
            if (a is StructArray s) foreach (var child in Flatten(s.Fields)) yield return child;
            else yield return a;
    }
}
