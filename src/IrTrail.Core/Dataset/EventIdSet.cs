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
    // CloudTrail eventIDs are lower-case UUIDs, kept as 16-byte keys in an open-addressing table: 16 bytes a slot at
    // most 3/4 full, where a HashSet<Guid> took 24 bytes an entry plus buckets and grew by doubling to a prime (39 MB
    // for one partition of 555,000 events, 16 MB here; and its resize held both arrays at once).
    private UInt128[] _slots = new UInt128[1024];
    private int _guids;
    private bool _zero; // the all-zero UUID: the table's empty-slot marker, so kept aside
    private readonly HashSet<string> _other = new(StringComparer.Ordinal);

    public int Count => _guids + (_zero ? 1 : 0) + _other.Count;

    /// <summary>True when <paramref name="eventId"/> was not in the set (it is now).</summary>
    public bool Add(ReadOnlySpan<byte> eventId)
    {
        if (eventId.Length == 36 && eventId.IndexOfAnyInRange((byte)'A', (byte)'Z') < 0 &&
            Utf8Parser.TryParse(eventId, out Guid g, out var used, 'D') && used == 36)
            return AddKey(System.Runtime.CompilerServices.Unsafe.As<Guid, UInt128>(ref g));
        return _other.Add(Encoding.UTF8.GetString(eventId));
    }

    private bool AddKey(UInt128 key)
    {
        if (key == UInt128.Zero)
        {
            if (_zero) return false;
            return _zero = true;
        }
        if ((_guids + 1) * 4 > _slots.Length * 3) Grow();
        if (!Insert(_slots, key)) return false;
        _guids++;
        return true;
    }

    /// <summary>Linear probing from a Fibonacci hash of both halves (UUIDs are mostly random, but nothing relies on it).</summary>
    private static bool Insert(UInt128[] slots, UInt128 key)
    {
        var mask = slots.Length - 1;
        var i = (int)((((ulong)key ^ (ulong)(key >> 64)) * 0x9E3779B97F4A7C15UL) >> (64 - System.Numerics.BitOperations.Log2((uint)slots.Length)));
        while (true)
        {
            var s = slots[i];
            if (s == UInt128.Zero) { slots[i] = key; return true; }
            if (s == key) return false;
            i = (i + 1) & mask;
        }
    }

    private void Grow()
    {
        var bigger = new UInt128[_slots.Length * 2];
        foreach (var k in _slots)
            if (k != UInt128.Zero) Insert(bigger, k);
        _slots = bigger;
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
