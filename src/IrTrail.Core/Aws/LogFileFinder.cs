using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace IrTrail.Core.Aws;

/// <summary>
/// Finds CloudTrail objects in a store. Filters become exact listing prefixes (accounts, kinds, regions, days), so
/// finding one day never lists a whole bucket; only levels the filters leave open are discovered with one-level
/// folder listings. Objects stream page by page, so a consumer that stops early stops the listing.
/// </summary>
public static partial class LogFileFinder
{
    private const string Root = "AWSLogs/";

    /// <summary>Above this many days, day prefixes are replaced by month prefixes (fewer requests, same result).</summary>
    internal const int MaxDayPrefixes = 62;

    private enum Level { Top, Org, Account, Kind, Region, Date }

    [GeneratedRegex(@"^o-[a-z0-9]{10,32}$")] private static partial Regex OrgPattern();
    [GeneratedRegex(@"^\d{12}$")] private static partial Regex AccountPattern();
    [GeneratedRegex(@"^[a-z]{2}(-[a-z]+)+-\d+$")] private static partial Regex RegionPattern();

    public static async IAsyncEnumerable<LogFile> FindAsync(ILogStore store, LogFileQuery query, string? bucketName,
        string? bucketRegion, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var prefix in PlanAsync(store, query, cancellationToken).ConfigureAwait(false))
        {
            await foreach (var o in store.ListObjectsAsync(prefix, cancellationToken).ConfigureAwait(false))
            {
                var info = CloudTrailKey.TryParse(o.Key);
                if (info is null || !query.Matches(info)) continue;
                yield return new LogFile
                {
                    Uri = store.UriOf(o.Key), Account = info.Account, Region = info.Region, Date = info.Date, Kind = info.Kind,
                    Size = o.Size, LastModified = o.LastModified, ETag = o.ETag, OrganizationId = info.OrganizationId,
                    BucketName = bucketName, Key = o.Key, BucketRegion = bucketRegion,
                };
            }
        }
    }

    /// <summary>The prefixes whose objects are listed, in key order; discovery listings happen lazily as it goes.</summary>
    public static async IAsyncEnumerable<string> PlanAsync(ILogStore store, LogFileQuery query,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var prefix = query.Prefix.Replace('\\', '/').TrimStart('/');
        var at = prefix.StartsWith(Root, StringComparison.Ordinal) ? 0 : prefix.IndexOf("/" + Root, StringComparison.Ordinal) is var i and >= 0 ? i + 1 : -1;
        if (at < 0)
        {
            // Above AWSLogs/ (a trail's key prefix, or the bucket top): find AWSLogs/ with one-level listings.
            if (prefix.Length > 0 && !prefix.EndsWith('/')) prefix += "/";
            await foreach (var (root, children) in FindRootsAsync(store, prefix, query.MaxSearchDepth, cancellationToken).ConfigureAwait(false))
            await foreach (var p in ExpandAsync(store, query, root, Level.Top, cancellationToken, children).ConfigureAwait(false))
                yield return p;
            yield break;
        }

        // Inside the layout: walk the given segments, checking each against the filters.
        var rootPrefix = prefix[..(at + Root.Length)];
        var segments = prefix[rootPrefix.Length..].Split('/');
        var current = rootPrefix;
        var level = Level.Top;
        for (var s = 0; s < segments.Length; s++)
        {
            var seg = segments[s];
            var complete = s < segments.Length - 1;
            if (seg.Length == 0) break;
            if (level == Level.Date)
            {
                // Within the date folders: list the given prefix as it is; days are filtered from the keys.
                yield return current + string.Join('/', segments[s..]);
                yield break;
            }
            var next = Classify(level, seg);
            if (next is null)
            {
                if (!complete) { yield return current + seg; yield break; } // a partial name: list it raw
                yield break; // not the CloudTrail layout: nothing to find
            }
            if (!Accepts(query, level, seg)) yield break;
            current += seg + "/";
            level = next.Value;
        }
        await foreach (var p in ExpandAsync(store, query, current, level, cancellationToken).ConfigureAwait(false))
            yield return p;
    }

    /// <summary>The level a complete segment leads to from the given level, or null if it does not fit the layout.</summary>
    private static Level? Classify(Level level, string seg) => level switch
    {
        Level.Top when OrgPattern().IsMatch(seg) => Level.Org,
        Level.Top or Level.Org when AccountPattern().IsMatch(seg) => Level.Account,
        Level.Account when seg is "CloudTrail" or "CloudTrail-Digest" or "CloudTrail-Insight" => Level.Kind,
        Level.Kind when RegionPattern().IsMatch(seg) => Level.Region,
        Level.Region when seg.Length == 4 && seg.All(char.IsAsciiDigit) => Level.Date,
        _ => null,
    };

    private static bool Accepts(LogFileQuery q, Level level, string seg) => level switch
    {
        Level.Top or Level.Org when AccountPattern().IsMatch(seg) => q.Accounts is not { Count: > 0 } || q.Accounts.Contains(seg),
        Level.Account => q.Kinds.Contains(CloudTrailKey.ParseKind(seg)),
        Level.Kind => q.Regions is not { Count: > 0 } || q.Regions.Contains(seg, StringComparer.OrdinalIgnoreCase),
        _ => true,
    };

    /// <summary>
    /// Finds AWSLogs/ folders at or below a prefix, with their children. AWSLogs/ right below the prefix is probed
    /// first (that listing is also the first level of the walk); only otherwise are the prefix's children searched.
    /// </summary>
    private static async IAsyncEnumerable<(string Root, IReadOnlyList<string> Children)> FindRootsAsync(ILogStore store, string prefix, int depth,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var root = prefix + Root;
        var below = await store.ListFoldersAsync(root, cancellationToken).ConfigureAwait(false);
        if (below.Count > 0)
        {
            yield return (root, below);
            yield break;
        }
        if (depth <= 1) yield break;
        foreach (var c in await store.ListFoldersAsync(prefix, cancellationToken).ConfigureAwait(false))
        {
            if (c == root) continue;
            await foreach (var r in FindRootsAsync(store, c, depth - 1, cancellationToken).ConfigureAwait(false))
                yield return r;
        }
    }

    private static async IAsyncEnumerable<string> ExpandAsync(ILogStore store, LogFileQuery q, string prefix, Level level,
        [EnumeratorCancellation] CancellationToken cancellationToken, IReadOnlyList<string>? listed = null)
    {
        switch (level)
        {
            case Level.Top:
            case Level.Org:
            {
                // Organization folders can only be discovered; accounts too unless they were named.
                var children = listed ?? await store.ListFoldersAsync(prefix, cancellationToken).ConfigureAwait(false);
                foreach (var c in children)
                {
                    var name = c[prefix.Length..].TrimEnd('/');
                    if (level == Level.Top && OrgPattern().IsMatch(name))
                    {
                        if (q.Accounts is { Count: > 0 })
                        {
                            foreach (var a in q.Accounts.Order(StringComparer.Ordinal))
                            await foreach (var p in ExpandAsync(store, q, c + a + "/", Level.Account, cancellationToken).ConfigureAwait(false))
                                yield return p;
                        }
                        else
                        {
                            await foreach (var p in ExpandAsync(store, q, c, Level.Org, cancellationToken).ConfigureAwait(false))
                                yield return p;
                        }
                    }
                    else if (AccountPattern().IsMatch(name) && Accepts(q, Level.Top, name))
                    {
                        await foreach (var p in ExpandAsync(store, q, c, Level.Account, cancellationToken).ConfigureAwait(false))
                            yield return p;
                    }
                }
                break;
            }
            case Level.Account:
                foreach (var kind in q.Kinds.Distinct().OrderBy(k => CloudTrailKey.KindFolder(k), StringComparer.Ordinal))
                await foreach (var p in ExpandAsync(store, q, prefix + CloudTrailKey.KindFolder(kind) + "/", Level.Kind, cancellationToken).ConfigureAwait(false))
                    yield return p;
                break;
            case Level.Kind:
            {
                IEnumerable<string> regions;
                if (q.Regions is { Count: > 0 }) regions = q.Regions.Select(r => r.ToLowerInvariant()).Distinct().Order(StringComparer.Ordinal);
                else regions = (await store.ListFoldersAsync(prefix, cancellationToken).ConfigureAwait(false)).Select(c => c[prefix.Length..].TrimEnd('/'));
                foreach (var r in regions)
                    foreach (var p in DatePrefixes(q, prefix + r + "/")) yield return p;
                break;
            }
            case Level.Region:
                foreach (var p in DatePrefixes(q, prefix)) yield return p;
                break;
            default:
                yield return prefix;
                break;
        }
    }

    /// <summary>Day (or month) prefixes under a region folder for the time filter; the whole region without one.</summary>
    internal static IEnumerable<string> DatePrefixes(LogFileQuery q, string regionPrefix)
    {
        if (q.StartDay is not { } start)
        {
            // No lower bound: the region folder is listed, and days after -EndTime are filtered out of the keys.
            yield return regionPrefix;
            yield break;
        }
        var end = q.EndDay ?? DateTime.UtcNow.Date;
        if (end < start) yield break;
        if ((end - start).TotalDays < MaxDayPrefixes)
        {
            for (var d = start; d <= end; d = d.AddDays(1)) yield return regionPrefix + d.ToString("yyyy'/'MM'/'dd", CultureInfo.InvariantCulture) + "/";
        }
        else
        {
            for (var m = new DateTime(start.Year, start.Month, 1); m <= end; m = m.AddMonths(1)) yield return regionPrefix + m.ToString("yyyy'/'MM", CultureInfo.InvariantCulture) + "/";
        }
    }
}
