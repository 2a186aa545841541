using System.Text.RegularExpressions;
using IrTrail.Core.Model;

namespace IrTrail.Core.Reading;

/// <summary>
/// The event filters Get-IrTrailEvent offers, evaluated in the engine. Text filters accept PowerShell-style
/// wildcards (*, ?, [abc]) and match case-insensitively; several values mean "any of".
/// </summary>
public sealed class EventFilter
{
    public DateTime? StartTime { get; init; }
    public DateTime? EndTime { get; init; }
    public IReadOnlyList<string>? EventName { get; init; }
    public IReadOnlyList<string>? EventSource { get; init; }
    public IReadOnlyList<string>? SourceIPAddress { get; init; }
    public IReadOnlyList<string>? UserName { get; init; }
    public IReadOnlyList<string>? AccessKeyId { get; init; }
    public IReadOnlyList<string>? ErrorCode { get; init; }
    /// <summary>true: read-only events only; false: write (not read-only) events only.</summary>
    public bool? ReadOnly { get; init; }

    private Wildcard[]? _eventName, _eventSource, _ip, _user, _key, _error;

    public bool IsEmpty => StartTime is null && EndTime is null && EventName is null && EventSource is null &&
                           SourceIPAddress is null && UserName is null && AccessKeyId is null && ErrorCode is null && ReadOnly is null;

    public bool Matches(CloudTrailEvent e)
    {
        if (StartTime is { } s && (e.EventTime is null || e.EventTime < s.ToUniversalTime())) return false;
        if (EndTime is { } t && (e.EventTime is null || e.EventTime > t.ToUniversalTime())) return false;
        if (ReadOnly is { } ro && (e.ReadOnly ?? false) != ro) return false;
        if (!Any(ref _eventName, EventName, e.EventName)) return false;
        if (!Any(ref _eventSource, EventSource, e.EventSource)) return false;
        if (!Any(ref _ip, SourceIPAddress, e.SourceIPAddress)) return false;
        if (!Any(ref _key, AccessKeyId, e.UserIdentity?.AccessKeyId)) return false;
        if (!Any(ref _error, ErrorCode, e.ErrorCode)) return false;
        if (UserName is not null)
        {
            var u = e.UserIdentity;
            _user ??= UserName.Select(Wildcard.Create).ToArray();
            if (u is null) return false;
            var roleSession = u.Arn is { } arn && arn.Contains(":assumed-role/") ? arn[(arn.LastIndexOf('/') + 1)..] : null;
            if (!(Hit(_user, u.UserName) || Hit(_user, u.SessionContext?.SessionIssuer?.UserName) || Hit(_user, roleSession))) return false;
        }
        return true;
    }

    private static bool Any(ref Wildcard[]? compiled, IReadOnlyList<string>? patterns, string? value)
    {
        if (patterns is null) return true;
        compiled ??= patterns.Select(Wildcard.Create).ToArray();
        return Hit(compiled, value);
    }

    private static bool Hit(Wildcard[] patterns, string? value)
    {
        if (value is null) return false;
        foreach (var p in patterns)
            if (p.IsMatch(value)) return true;
        return false;
    }
}

/// <summary>A PowerShell-style wildcard (*, ?, [set]); plain text compares without a regex.</summary>
public sealed class Wildcard
{
    private readonly string _text;
    private readonly Regex? _regex;

    private Wildcard(string text, Regex? regex) { _text = text; _regex = regex; }

    public static Wildcard Create(string pattern)
    {
        if (pattern.IndexOfAny(['*', '?', '[']) < 0) return new Wildcard(pattern, null);
        var sb = new System.Text.StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            switch (c)
            {
                case '*': sb.Append(".*"); break;
                case '?': sb.Append('.'); break;
                case '[':
                    var close = pattern.IndexOf(']', i + 1);
                    if (close < 0) { sb.Append(@"\["); break; }
                    sb.Append('[').Append(pattern[(i + 1)..close].Replace(@"\", @"\\")).Append(']');
                    i = close;
                    break;
                case '`' when i + 1 < pattern.Length: sb.Append(Regex.Escape(pattern[++i].ToString())); break;
                default: sb.Append(Regex.Escape(c.ToString())); break;
            }
        }
        sb.Append('$');
        return new Wildcard(pattern, new Regex(sb.ToString(), RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Singleline));
    }

    public bool IsMatch(string value) =>
        _regex?.IsMatch(value) ?? string.Equals(_text, value, StringComparison.OrdinalIgnoreCase);
}
