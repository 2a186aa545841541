using System.Buffers.Text;
using System.Text;
using Parquet;

namespace IrTrail.Core.Dataset;

/// <summary>
/// The eventIDs one partition has seen, for deduplication. A second copy of an event has the same account, region and
/// eventTime as the first, so it always falls in the same partition: keeping one set per partition, only while the
/// partition is being filled or written, bounds memory by the partitions in flight instead of by every event converted.
/// </summary>
internal sealed class EventIdSet
{
    // CloudTrail eventIDs are lower-case UUIDs: 16 bytes each instead of a string.
    private readonly HashSet<Guid> _guids = [];
    private readonly HashSet<string> _other = new(StringComparer.Ordinal);

    public int Count => _guids.Count + _other.Count;

    /// <summary>True when <paramref name="eventId"/> was not in the set (it is now).</summary>
    public bool Add(ReadOnlySpan<byte> eventId)
    {
        if (eventId.Length == 36 && eventId.IndexOfAnyInRange((byte)'A', (byte)'Z') < 0 &&
            Utf8Parser.TryParse(eventId, out Guid g, out var used, 'D') && used == 36)
            return _guids.Add(g);
        return _other.Add(Encoding.UTF8.GetString(eventId));
    }

    /// <summary>Adds the eventIDs of a dataset file (an earlier run's, or one this run already wrote).</summary>
    public async Task AddFileAsync(string parquetFile, CancellationToken ct)
    {
        await using var reader = await ParquetReader.CreateAsync(parquetFile, null, ct).ConfigureAwait(false);
        var field = reader.Schema.GetDataFields().FirstOrDefault(f => f.Path.ToString() == "eventID");
        if (field is null) return;
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var rg = reader.OpenRowGroupReader(g);
            var ids = new string?[rg.RowCount];
            await rg.ReadAsync(field, ids.AsMemory(), null, ct).ConfigureAwait(false);
            foreach (var id in ids) if (id is not null) Add(Encoding.UTF8.GetBytes(id));
        }
    }
}
