using System.Reflection;
using Parquet;
using Parquet.Meta;

namespace IrTrail.Core.Dataset;

/// <summary>
/// eventTime as Parquet INT64 with the TIMESTAMP(isAdjustedToUTC, MICROS) logical type, written from plain longs so that
/// values and statistics are both Unix microseconds. Parquet.Net 6.1.0 has no public way to put a timestamp logical type
/// on an INT64 field, and its own DateTime field writes millisecond statistics for a microsecond column (engines then skip
/// row groups that match), so the writer's footer schema element is given the logical type right after the writer is
/// created, before any data. The same hook declares the text columns, written as UTF-8 bytes, STRING. Pinned to Parquet.Net 6.1.0's internals; the statistics test fails loudly if they change.
/// </summary>
internal static class TimestampColumn
{
    public const string Name = "eventTime";

    private const long UnixEpochTicks = 621_355_968_000_000_000L;

    public static long ToUnixMicros(long ticks) => (ticks - UnixEpochTicks) / TimeSpan.TicksPerMicrosecond;

    private static readonly FieldInfo? FooterField = typeof(ParquetWriter).GetField("_footer", BindingFlags.Instance | BindingFlags.NonPublic);

    public static void Declare(ParquetWriter writer)
    {
        var footer = FooterField?.GetValue(writer);
        var meta = footer?.GetType().GetField("_fileMeta", BindingFlags.Instance | BindingFlags.NonPublic)?.GetValue(footer) as FileMetaData
            ?? throw new InvalidOperationException("Parquet.Net's writer internals changed: cannot declare eventTime as a TIMESTAMP.");
        var element = meta.Schema.Single(e => e.Name == Name && e.Type == Parquet.Meta.Type.INT64);
        element.LogicalType = new LogicalType { TIMESTAMP = new TimestampType { IsAdjustedToUTC = true, Unit = new TimeUnit { MICROS = new MicroSeconds() } } };
        element.ConvertedType = ConvertedType.TIMESTAMP_MICROS;
        // Every BYTE_ARRAY column of the dataset is text, written as UTF-8 bytes: declare it STRING (VARCHAR to readers).
        foreach (var e in meta.Schema.Where(e => e.Type == Parquet.Meta.Type.BYTE_ARRAY))
        {
            e.LogicalType = new LogicalType { STRING = new StringType() };
            e.ConvertedType = ConvertedType.UTF8;
        }
    }
}
