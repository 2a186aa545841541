using System.Runtime.CompilerServices;
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
    private readonly UuidSet _uuids = new();
    private readonly HashSet<string> _other = new(StringComparer.Ordinal);

    public int Count => _uuids.Count + _other.Count;

    /// <summary>True when <paramref name="eventId"/> was not in the set (it is now).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot: once per event converted
    public bool Add(ReadOnlySpan<byte> eventId) =>
        TryParseLowerUuid(eventId, out var uuid) ? _uuids.Add(uuid) : _other.Add(Encoding.UTF8.GetString(eventId));

    /// <summary>Each byte's hex digit value; 0xFF for anything but 0-9 and a-f. Upper case is not a digit here: an ID
    /// in upper case is another string than the same ID in lower case, so it goes to the string set as it is.</summary>
    private static readonly byte[] HexDigit = BuildHexDigits();

    private static byte[] BuildHexDigits()
    {
        var t = new byte[256];
        Array.Fill(t, (byte)0xFF);
        for (var c = '0'; c <= '9'; c++) t[c] = (byte)(c - '0');
        for (var c = 'a'; c <= 'f'; c++) t[c] = (byte)(c - 'a' + 10);
        return t;
    }

    /// <summary>A lower-case UUID (8-4-4-4-12 hex digits) as its 128 bits. By table, not Utf8Parser: this runs for every
    /// event, and the general parser was 2% of a conversion's CPU.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool TryParseLowerUuid(ReadOnlySpan<byte> s, out Uuid value)
    {
        value = default;
        if (s.Length != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-') return false;
        var digits = HexDigit;
        ulong hi = 0, lo = 0;
        var bad = 0;
        for (var i = 0; i < 18; i++)
        {
            if (i is 8 or 13) continue;
            var d = digits[s[i]];
            bad |= d;
            hi = hi << 4 | d;
        }
        for (var i = 19; i < 36; i++)
        {
            if (i == 23) continue;
            var d = digits[s[i]];
            bad |= d;
            lo = lo << 4 | d;
        }
        if ((bad & 0xF0) != 0) return false;
        value = new Uuid(hi, lo);
        return true;
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
