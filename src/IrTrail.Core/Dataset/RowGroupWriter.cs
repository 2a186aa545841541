using Parquet;

namespace IrTrail.Core.Dataset;

/// <summary>Writes a <see cref="RowBuffer"/> as one row group, rows ordered by eventTime (unknown times first).</summary>
internal static class RowGroupWriter
{
    public static int[] TimeOrder(RowBuffer rows)
    {
        var order = new int[rows.Count];
        var keys = new long[rows.Count];
        for (var i = 0; i < order.Length; i++) { order[i] = i; keys[i] = rows.Time(i); }
        // Stable: equal times keep their input order, so the same input always gives the same file.
        Array.Sort(keys, order);
        StableFix(keys, order);
        return order;
    }

    private static void StableFix(long[] keys, int[] order)
    {
        // Array.Sort is not stable: within runs of equal keys, put original indices back in ascending order.
        var i = 0;
        while (i < keys.Length)
        {
            var j = i + 1;
            while (j < keys.Length && keys[j] == keys[i]) j++;
            if (j - i > 1) Array.Sort(order, i, j - i);
            i = j;
        }
    }

    /// <summary>Per-writer arrays reused across row groups (large ones would otherwise be new LOH garbage per column).</summary>
    public sealed class Scratch
    {
        public ReadOnlyMemory<byte>?[] Text = [];
    }

    public static async Task WriteAsync(ParquetWriter writer, RowBuffer rows, Scratch scratch, CancellationToken cancellationToken)
    {
        var order = TimeOrder(rows);
        var n = order.Length;
        using var rg = writer.CreateRowGroup();
        if (scratch.Text.Length < n) scratch.Text = new ReadOnlyMemory<byte>?[n];
        var text = scratch.Text;
        foreach (var leaf in DatasetSchema.Leaves)
        {
            cancellationToken.ThrowIfCancellationRequested();
            switch (leaf.Kind)
            {
                case DatasetSchema.Kind.Text:
                    // The row buffer's UTF-8 slices go to Parquet.Net as they are (the column is declared STRING).
                    for (var i = 0; i < n; i++) text[i] = rows.GetMemory(order[i], leaf.Slot);
                    await rg.WriteAsync<ReadOnlyMemory<byte>>(leaf.Field, text.AsMemory(0, n), null, null, cancellationToken).ConfigureAwait(false);
                    break;
                case DatasetSchema.Kind.Bool:
                    var b = new bool?[n];
                    for (var i = 0; i < n; i++) b[i] = rows.Bool(order[i], leaf.Slot);
                    await rg.WriteAsync<bool>(leaf.Field, b.AsMemory(), null, null, cancellationToken).ConfigureAwait(false);
                    break;
                case DatasetSchema.Kind.Time:
                    var t = new long?[n];
                    for (var i = 0; i < n; i++)
                    {
                        var ticks = rows.Time(order[i]);
                        t[i] = ticks == RowBuffer.NoTime ? null : TimestampColumn.ToUnixMicros(ticks);
                    }
                    await rg.WriteAsync<long>(leaf.Field, t.AsMemory(), null, null, cancellationToken).ConfigureAwait(false);
                    break;
                case DatasetSchema.Kind.Record:
                    var r = new long[n];
                    for (var i = 0; i < n; i++) r[i] = rows.RecordIndex(order[i]);
                    await rg.WriteAsync<long>(leaf.Field, r.AsMemory(), null, null, cancellationToken).ConfigureAwait(false);
                    break;
            }
        }
        rg.CompleteValidate();
    }
}
