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
        public ReadOnlyMemory<char>?[] Text = [];
        public char[] Chars = new char[1024];
    }

    public static async Task WriteAsync(ParquetWriter writer, RowBuffer rows, Scratch scratch, CancellationToken cancellationToken)
    {
        var order = TimeOrder(rows);
        var n = order.Length;
        using var rg = writer.CreateRowGroup();
        if (scratch.Text.Length < n) scratch.Text = new ReadOnlyMemory<char>?[n];
        var text = scratch.Text;
        var chars = scratch.Chars;
        foreach (var leaf in DatasetSchema.Leaves)
        {
            cancellationToken.ThrowIfCancellationRequested();
            switch (leaf.Kind)
            {
                case DatasetSchema.Kind.Text:
                    // Parquet.Net takes text as UTF-16 chars: decode the UTF-8 slices into one array per column.
                    var total = 0;
                    for (var i = 0; i < n; i++) total += rows.Get(order[i], leaf.Slot).Length;
                    if (chars.Length < total) scratch.Chars = chars = new char[Math.Max(total, chars.Length * 2)];
                    var at = 0;
                    for (var i = 0; i < n; i++)
                    {
                        var row = order[i];
                        if (rows.IsNull(row, leaf.Slot)) { text[i] = null; continue; }
                        var len = System.Text.Encoding.UTF8.GetChars(rows.Get(row, leaf.Slot), chars.AsSpan(at));
                        text[i] = chars.AsMemory(at, len);
                        at += len;
                    }
                    await rg.WriteAsync<ReadOnlyMemory<char>>(leaf.Field, text.AsMemory(0, n), null, null, cancellationToken).ConfigureAwait(false);
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
