using Apache.Arrow;
using Apache.Arrow.Types;

namespace IrTrail.Core.Dataset;

/// <summary>
/// Rows of a <see cref="RowBuffer"/> as Arrow record batches, one flat column per dataset leaf (<c>c0</c>, <c>c1</c>, …,
/// in <see cref="DatasetSchema.Leaves"/> order): the form DuckDB scans without a copy per value. Text is UTF-8 as the row
/// buffer holds it, so building a batch is a memory copy per column; structs are assembled by the writer's SQL.
/// </summary>
internal static class ArrowRows
{
    public static Schema Schema { get; } = BuildSchema();

    public static string ColumnName(int leaf) => "c" + leaf;

    /// <summary>The column after the leaves: which userIdentity objects each record had (<see cref="RowBuffer.StructBits"/>),
    /// for the writer's SQL to make absent ones NULL. Not a dataset column.</summary>
    public const string StructsColumn = "structs";

    private static Schema BuildSchema()
    {
        var b = new Schema.Builder();
        for (var i = 0; i < DatasetSchema.Leaves.Length; i++)
        {
            IArrowType type = DatasetSchema.Leaves[i].Kind switch
            {
                DatasetSchema.Kind.Text => StringType.Default,
                DatasetSchema.Kind.Bool => BooleanType.Default,
                DatasetSchema.Kind.Time => new TimestampType(TimeUnit.Microsecond, "UTC"),
                _ => Int64Type.Default,
            };
            b.Field(new Field(ColumnName(i), type, nullable: DatasetSchema.Leaves[i].Kind != DatasetSchema.Kind.Record));
        }
        b.Field(new Field(StructsColumn, UInt8Type.Default, nullable: false));
        return b.Build();
    }

    /// <summary>Rows <paramref name="order"/>[start..start+count) of <paramref name="rows"/>, in that order, as one batch.
    /// Text goes into blocks of <paramref name="pool"/>, which come back when DuckDB releases the batch: the batch must
    /// be handed to DuckDB.</summary>
    public static RecordBatch Build(RowBuffer rows, int[] order, int start, int count, NativeBufferPool pool)
    {
        var leaves = DatasetSchema.Leaves;
        var columns = new IArrowArray[leaves.Length + 1];
        for (var c = 0; c < leaves.Length; c++)
        {
            var leaf = leaves[c];
            columns[c] = leaf.Kind switch
            {
                DatasetSchema.Kind.Text => Text(rows, order, start, count, leaf.Slot, pool),
                DatasetSchema.Kind.Bool => Bools(rows, order, start, count, leaf.Slot),
                DatasetSchema.Kind.Time => Times(rows, order, start, count),
                _ => Records(rows, order, start, count),
            };
        }
        columns[leaves.Length] = Structs(rows, order, start, count);
        return new RecordBatch(Schema, columns, count);
    }

    private static UInt8Array Structs(RowBuffer rows, int[] order, int start, int count)
    {
        var values = new byte[count];
        for (var i = 0; i < count; i++) values[i] = rows.StructBits(order[start + i]);
        return new UInt8Array(new ArrowBuffer(values), ArrowBuffer.Empty, count, 0, 0);
    }

    private static StringArray Text(RowBuffer rows, int[] order, int start, int count, int slot, NativeBufferPool pool)
    {
        var offsetBlock = pool.Rent((count + 1) * 4);
        var offsets = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(offsetBlock.GetSpan());
        var total = 0;
        var nulls = 0;
        for (var i = 0; i < count; i++)
        {
            var r = order[start + i];
            if (rows.IsNull(r, slot)) nulls++;
            else total += rows.Get(r, slot).Length;
        }
        // Not cleared: every byte up to the last offset is written below, and nothing reads past it.
        var dataBlock = pool.Rent(Math.Max(total, 1));
        var data = dataBlock.GetSpan();
        var validity = nulls > 0 ? new byte[(count + 7) / 8] : null;
        var at = 0;
        for (var i = 0; i < count; i++)
        {
            var r = order[start + i];
            offsets[i] = at;
            if (rows.IsNull(r, slot)) continue;
            var v = rows.Get(r, slot);
            v.CopyTo(data[at..]);
            at += v.Length;
            if (validity is not null) validity[i >> 3] |= (byte)(1 << (i & 7));
        }
        offsets[count] = at;
        return new StringArray(count, new ArrowBuffer(offsetBlock.Memory), new ArrowBuffer(dataBlock.Memory), validity is null ? ArrowBuffer.Empty : new ArrowBuffer(validity), nulls, 0);
    }

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
        return new TimestampArray((TimestampType)Schema.GetFieldByName(ColumnName(TimeLeaf)).DataType,
            new ArrowBuffer(valueBytes), nulls > 0 ? new ArrowBuffer(validity) : ArrowBuffer.Empty, count, nulls, 0);
    }

    private static Int64Array Records(RowBuffer rows, int[] order, int start, int count)
    {
        var valueBytes = new byte[count * 8];
        var values = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(valueBytes.AsSpan());
        for (var i = 0; i < count; i++) values[i] = rows.RecordIndex(order[start + i]);
        return new Int64Array(new ArrowBuffer(valueBytes), ArrowBuffer.Empty, count, 0, 0);
    }

    private const long UnixEpochTicks = 621_355_968_000_000_000L;

    private static readonly int TimeLeaf = System.Array.FindIndex(DatasetSchema.Leaves, l => l.Kind == DatasetSchema.Kind.Time);
}
