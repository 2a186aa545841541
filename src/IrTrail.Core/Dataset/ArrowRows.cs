using Apache.Arrow;
using Apache.Arrow.Types;
using Parquet.Schema;
using ArrowField = Apache.Arrow.Field;
using System.Runtime.CompilerServices;

namespace IrTrail.Core.Dataset;

/// <summary>
/// Rows of a <see cref="RowBuffer"/> as Arrow record batches in the dataset's own schema (<see cref="DatasetSchema"/>:
/// CloudTrail's names, userIdentity a struct), the form the Parquet writer takes. Text is UTF-8 as the row buffer holds
/// it, so building a batch is a memory copy per column.
/// </summary>
internal static class ArrowRows
{
    public static Schema Schema { get; } = BuildSchema();

    /// <summary>Every field is nullable, structs too, as in the files DuckDB's writer made before this one: a dataset
    /// mixes both, and its columns' repetition stays the same across files. userIdentity and sessionContext are never
    /// NULL; attributes and sessionIssuer are when the record did not have them (<see cref="RowBuffer.StructBits"/>).</summary>
    private static Schema BuildSchema()
    {
        var b = new Schema.Builder();
        var leaf = 0;
        foreach (var f in DatasetSchema.Schema.Fields) b.Field(ToArrow(f, ref leaf));
        if (leaf != DatasetSchema.Leaves.Length) throw new InvalidOperationException("Dataset schema leaf count mismatch.");
        return b.Build();
    }

    private static ArrowField ToArrow(Parquet.Schema.Field f, ref int leaf)
    {
        if (f is StructField s)
        {
            var children = new List<ArrowField>();
            foreach (var child in s.Fields) children.Add(ToArrow(child, ref leaf));
            return new ArrowField(s.Name, new StructType(children), nullable: true);
        }
        IArrowType type = DatasetSchema.Leaves[leaf++].Kind switch
        {
            DatasetSchema.Kind.Text => StringType.Default,
            DatasetSchema.Kind.Bool => BooleanType.Default,
            DatasetSchema.Kind.Time => new TimestampType(TimeUnit.Microsecond, "UTC"),
            _ => Int64Type.Default,
        };
        return new ArrowField(f.Name, type, nullable: true);
    }

    /// <summary>Rows <paramref name="order"/>[start..start+count) of <paramref name="rows"/>, in that order, as one batch.
    /// Text goes into blocks of <paramref name="pool"/>, which come back when the writer releases the batch: the batch
    /// must be handed to the writer.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per batch, with loops: optimised at once, not after tiering
    public static RecordBatch Build(RowBuffer rows, int[] order, int start, int count, NativeBufferPool pool)
    {
        var leaves = DatasetSchema.Leaves;
        var flat = new IArrowArray[leaves.Length];
        Texts(rows, order.AsSpan(start, count), pool, flat);
        for (var c = 0; c < leaves.Length; c++)
        {
            var leaf = leaves[c];
            flat[c] = leaf.Kind switch
            {
                DatasetSchema.Kind.Text => flat[c],
                DatasetSchema.Kind.Bool => Bools(rows, order, start, count, leaf.Slot),
                DatasetSchema.Kind.Time => Times(rows, order, start, count),
                _ => Records(rows, order, start, count),
            };
        }
        var fields = DatasetSchema.Schema.Fields;
        var columns = new IArrowArray[fields.Count];
        var next = 0;
        for (var i = 0; i < fields.Count; i++)
            columns[i] = Assemble(fields[i], Schema.FieldsList[i], flat, ref next, rows, order, start, count);
        return new RecordBatch(Schema, columns, count);
    }

    /// <summary>The text leaves' positions among the leaves, and their row-buffer slots.</summary>
    private static readonly int[] TextLeaves =
        Enumerable.Range(0, DatasetSchema.Leaves.Length).Where(c => DatasetSchema.Leaves[c].Kind == DatasetSchema.Kind.Text).ToArray();
    private static readonly int[] TextSlots = TextLeaves.Select(c => DatasetSchema.Leaves[c].Slot).ToArray();

    /// <summary>A top-level column from the flat leaves, structs packed in schema order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per batch, with loops: optimised at once, not after tiering
    private static IArrowArray Assemble(Parquet.Schema.Field f, ArrowField arrow, IArrowArray[] flat, ref int next,
        RowBuffer rows, int[] order, int start, int count)
    {
        if (f is not StructField s) return flat[next++];
        var type = (StructType)arrow.DataType;
        var children = new IArrowArray[s.Fields.Count];
        for (var i = 0; i < children.Length; i++)
            children[i] = Assemble(s.Fields[i], type.Fields[i], flat, ref next, rows, order, start, count);
        var bit = s.Name switch
        {
            "attributes" => DatasetColumns.AttributesBit,
            "sessionIssuer" => DatasetColumns.SessionIssuerBit,
            _ => 0,
        };
        if (bit == 0) return new StructArray(type, count, children, ArrowBuffer.Empty, 0);
        var validity = new byte[(count + 7) / 8];
        var nulls = 0;
        for (var i = 0; i < count; i++)
        {
            if ((rows.StructBits(order[start + i]) & bit) != 0) validity[i >> 3] |= (byte)(1 << (i & 7));
            else nulls++;
        }
        return new StructArray(type, count, children, nulls > 0 ? new ArrowBuffer(validity) : ArrowBuffer.Empty, nulls);
    }

    /// <summary>
    /// Every text leaf of the rows in <paramref name="rowsInOrder"/> into <paramref name="flat"/>, gathered together, row by
    /// row (<see cref="RowBuffer.GatherSlots"/>). A column with no value in the batch (many of CloudTrail's optional
    /// fields) is all NULL without a pass of its own: its offsets are zeroes. Values go into blocks of
    /// <paramref name="pool"/>, which come back when the writer releases the batch.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per batch, with loops: optimised at once, not after tiering
    private static unsafe void Texts(RowBuffer rows, ReadOnlySpan<int> rowsInOrder, NativeBufferPool pool, IArrowArray[] flat)
    {
        var count = rowsInOrder.Length;
        var n = TextSlots.Length;
        Span<long> totals = stackalloc long[n];
        Span<int> nulls = stackalloc int[n];
        totals.Clear();
        nulls.Clear();
        rows.SlotTotals(rowsInOrder, TextSlots, totals, nulls);
        // Checked before any block is rented: a block rented and never handed to the writer would not come back.
        for (var j = 0; j < n; j++)
            if (totals[j] > int.MaxValue) throw new InvalidOperationException($"A batch's column holds {totals[j]:N0} bytes, more than an Arrow string column can.");
        Span<int> slots = stackalloc int[n];
        Span<nint> offsets = stackalloc nint[n];
        Span<nint> data = stackalloc nint[n];
        var validity = new byte[]?[n];
        var gathered = new (int Leaf, NativeBufferPool.Block Offsets, NativeBufferPool.Block Data, int Nulls)[n];
        var m = 0;
        for (var j = 0; j < n; j++)
        {
            var offsetBlock = pool.Rent((count + 1) * 4);
            // Not cleared: every byte up to the last offset is written, and nothing reads past it.
            var dataBlock = pool.Rent(Math.Max((int)totals[j], 1));
            if (nulls[j] == count)
            {
                offsetBlock.GetSpan().Clear();
                flat[TextLeaves[j]] = new StringArray(count, new ArrowBuffer(offsetBlock.Memory), new ArrowBuffer(dataBlock.Memory),
                    new ArrowBuffer(new byte[(count + 7) / 8]), count, 0);
                continue;
            }
            slots[m] = TextSlots[j];
            offsets[m] = (nint)offsetBlock.Pointer;
            data[m] = (nint)dataBlock.Pointer;
            validity[m] = nulls[j] > 0 ? new byte[(count + 7) / 8] : null;
            gathered[m] = (TextLeaves[j], offsetBlock, dataBlock, nulls[j]);
            m++;
        }
        rows.GatherSlots(rowsInOrder, slots[..m], offsets[..m], data[..m], validity);
        for (var j = 0; j < m; j++)
        {
            var (leaf, offsetBlock, dataBlock, nullCount) = gathered[j];
            flat[leaf] = new StringArray(count, new ArrowBuffer(offsetBlock.Memory), new ArrowBuffer(dataBlock.Memory),
                validity[j] is { } v ? new ArrowBuffer(v) : ArrowBuffer.Empty, nullCount, 0);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per batch, with loops: optimised at once, not after tiering
    private static BooleanArray Bools(RowBuffer rows, int[] order, int start, int count, int slot)
    {
        var values = new byte[(count + 7) / 8];
        var validity = new byte[(count + 7) / 8];
        var nulls = 0;
        for (var i = 0; i < count; i++)
        {
            var v = rows.Bool(order[start + i], slot);
            if (v is null) { nulls++; continue; }
            validity[i >> 3] |= (byte)(1 << (i & 7));
            if (v.Value) values[i >> 3] |= (byte)(1 << (i & 7));
        }
        return new BooleanArray(new ArrowBuffer(values), nulls > 0 ? new ArrowBuffer(validity) : ArrowBuffer.Empty, count, nulls, 0);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per batch, with loops: optimised at once, not after tiering
    private static TimestampArray Times(RowBuffer rows, int[] order, int start, int count)
    {
        var valueBytes = new byte[count * 8];
        var values = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(valueBytes.AsSpan());
        var validity = new byte[(count + 7) / 8];
        var nulls = 0;
        for (var i = 0; i < count; i++)
        {
            var t = rows.Time(order[start + i]);
            if (t == RowBuffer.NoTime) { nulls++; continue; }
            values[i] = (t - UnixEpochTicks) / TimeSpan.TicksPerMicrosecond;
            validity[i >> 3] |= (byte)(1 << (i & 7));
        }
        return new TimestampArray(TimeType,
            new ArrowBuffer(valueBytes), nulls > 0 ? new ArrowBuffer(validity) : ArrowBuffer.Empty, count, nulls, 0);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per batch, with loops: optimised at once, not after tiering
    private static Int64Array Records(RowBuffer rows, int[] order, int start, int count)
    {
        var valueBytes = new byte[count * 8];
        var values = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(valueBytes.AsSpan());
        for (var i = 0; i < count; i++) values[i] = rows.RecordIndex(order[start + i]);
        return new Int64Array(new ArrowBuffer(valueBytes), ArrowBuffer.Empty, count, 0, 0);
    }

    private const long UnixEpochTicks = 621_355_968_000_000_000L;

    private static readonly TimestampType TimeType = (TimestampType)Schema.GetFieldByName("eventTime").DataType;
}
