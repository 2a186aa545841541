using System.Text;
using System.Text.RegularExpressions;

namespace IrTrail.Core.Query;

/// <summary>
/// The little SQL text handling both engines share: where string literals, quoted identifiers and comments are (so a
/// placeholder or keyword inside them is left alone), the talk's <c>&lt;&lt;table&gt;&gt;</c> placeholder, the first
/// keyword of a statement, and common table expressions put in front of a query. No engine-specific syntax here.
/// </summary>
internal static class SqlText
{
    /// <summary>The relation every library query reads: a DuckDB view locally, a common table expression on Athena.</summary>
    public const string Table = "cloudtrail";

    private static readonly Regex TablePlaceholder = new(@"<<\s*table\s*>>", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
    private static readonly Regex Placeholder = new(@"\{\{\s*([A-Za-z][A-Za-z0-9_]*)\s*\}\}", RegexOptions.CultureInvariant);

    internal enum Part { Code, Literal, Identifier, Comment }

    /// <summary>The text cut into code, string literals ('…', E'…'), quoted identifiers ("…") and comments.</summary>
    internal static IEnumerable<(Part Kind, int Start, int Length)> Parts(string sql)
    {
        var i = 0;
        var code = 0;
        while (i < sql.Length)
        {
            var c = sql[i];
            Part? kind = null;
            var end = i;
            if (c == '\'' || c == '"')
            {
                kind = c == '\'' ? Part.Literal : Part.Identifier;
                end = i + 1;
                while (end < sql.Length)
                {
                    if (sql[end] == c)
                    {
                        if (end + 1 < sql.Length && sql[end + 1] == c) { end += 2; continue; } // doubled quote
                        end++;
                        break;
                    }
                    end++;
                }
            }
            else if (c == '-' && i + 1 < sql.Length && sql[i + 1] == '-')
            {
                kind = Part.Comment;
                end = sql.IndexOf('\n', i);
                end = end < 0 ? sql.Length : end + 1;
            }
            else if (c == '/' && i + 1 < sql.Length && sql[i + 1] == '*')
            {
                kind = Part.Comment;
                end = sql.IndexOf("*/", i + 2, StringComparison.Ordinal);
                end = end < 0 ? sql.Length : end + 2;
            }
            if (kind is null) { i++; continue; }
            if (i > code) yield return (Part.Code, code, i - code);
            yield return (kind.Value, i, end - i);
            i = code = end;
        }
        if (sql.Length > code) yield return (Part.Code, code, sql.Length - code);
    }

    /// <summary>Rewrites the code parts (outside literals, quoted identifiers and comments) with <paramref name="rewrite"/>.</summary>
    internal static string RewriteCode(string sql, Func<string, string> rewrite)
    {
        var sb = new StringBuilder(sql.Length);
        foreach (var (kind, start, length) in Parts(sql))
        {
            var piece = sql.Substring(start, length);
            sb.Append(kind == Part.Code ? rewrite(piece) : piece);
        }
        return sb.ToString();
    }

    /// <summary>The talk's <c>&lt;&lt;table&gt;&gt;</c> placeholder as the relation name (so its queries paste verbatim).</summary>
    public static string ReplaceTablePlaceholder(string sql) => RewriteCode(sql, code => TablePlaceholder.Replace(code, Table));

    /// <summary>
    /// The library text with each <c>{{Name}}</c> replaced by <c>?</c>, and the parameter names in the order they occur.
    /// A placeholder inside a string literal is a mistake in the definition (it would never be bound), not a parameter.
    /// </summary>
    public static (string Sql, List<string> Names) Placeholders(string sql)
    {
        var names = new List<string>();
        var sb = new StringBuilder(sql.Length);
        foreach (var (kind, start, length) in Parts(sql))
        {
            var piece = sql.Substring(start, length);
            if (kind == Part.Code)
                piece = Placeholder.Replace(piece, m => { names.Add(m.Groups[1].Value); return "?"; });
            else if (kind == Part.Literal && Placeholder.Match(piece) is { Success: true } inside)
                throw new FormatException($"{inside.Value} is inside a string literal ({piece}): write it outside the quotes, e.g. '%' || {inside.Value} || '%'.");
            sb.Append(piece);
        }
        return (sb.ToString(), names);
    }

    /// <summary>The first keyword of the text (upper case), after whitespace, comments and opening parentheses.</summary>
    public static string FirstKeyword(string sql)
    {
        foreach (var (kind, start, length) in Parts(sql))
        {
            if (kind == Part.Comment) continue;
            if (kind != Part.Code) return "";
            var m = Regex.Match(sql.Substring(start, length), @"^[\s(]*([A-Za-z_]+)");
            if (m.Success) return m.Groups[1].Value.ToUpperInvariant();
            if (sql.Substring(start, length).Trim().Trim('(').Length > 0) return "";
        }
        return "";
    }

    /// <summary>Statements in the text: the count of non-empty pieces between semicolons outside literals and comments.</summary>
    public static int StatementCount(string sql)
    {
        var count = 0;
        var content = false;
        foreach (var (kind, start, length) in Parts(sql))
        {
            if (kind == Part.Comment) continue;
            if (kind != Part.Code) { content = true; continue; }
            foreach (var ch in sql.AsSpan(start, length))
            {
                if (ch == ';') { if (content) count++; content = false; }
                else if (!char.IsWhiteSpace(ch)) content = true;
            }
        }
        return count + (content ? 1 : 0);
    }

    /// <summary>
    /// The query with common table expressions in front: merged into its own WITH list when it has one (a query cannot
    /// have two), else a WITH of their own. How Athena gets the <c>cloudtrail</c> relation and the dashboard's <c>ev</c>
    /// without temporary tables.
    /// </summary>
    public static string WithCtes(string sql, IReadOnlyList<(string Name, string Body)> ctes)
    {
        if (ctes.Count == 0) return sql;
        var list = string.Join(", ", ctes.Select(c => $"{c.Name} AS ({c.Body})"));
        foreach (var (kind, start, length) in Parts(sql))
        {
            if (kind == Part.Comment || (kind == Part.Code && string.IsNullOrWhiteSpace(sql.Substring(start, length)))) continue;
            if (kind == Part.Code)
            {
                var m = Regex.Match(sql.Substring(start, length), @"^\s*WITH\s+(RECURSIVE\s+)?", RegexOptions.IgnoreCase);
                if (m.Success)
                {
                    var at = start + m.Length;
                    return sql[..at] + list + ", " + sql[at..];
                }
            }
            break;
        }
        return "WITH " + list + " " + sql;
    }

    /// <summary>
    /// The first <paramref name="limit"/> rows of a query with its total row count as a first column: how a finding
    /// gets its hit count and examples in one run, on either engine.
    /// </summary>
    public static string WithTotal(string sql, string totalColumn, int limit) =>
        $"SELECT count(*) OVER () AS \"{totalColumn}\", counted.* FROM ({sql}) AS counted LIMIT {limit.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
}
