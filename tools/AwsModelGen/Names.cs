using System.Text;
using System.Text.RegularExpressions;

namespace AwsModelGen;

/// <summary>C# identifiers for model names and enum values.</summary>
internal static partial class Names
{
    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
    {
        "abstract", "as", "base", "bool", "break", "byte", "case", "catch", "char", "checked", "class", "const", "continue",
        "decimal", "default", "delegate", "do", "double", "else", "enum", "event", "explicit", "extern", "false", "finally",
        "fixed", "float", "for", "foreach", "goto", "if", "implicit", "in", "int", "interface", "internal", "is", "lock",
        "long", "namespace", "new", "null", "object", "operator", "out", "override", "params", "private", "protected",
        "public", "readonly", "ref", "return", "sbyte", "sealed", "short", "sizeof", "stackalloc", "static", "string",
        "struct", "switch", "this", "throw", "true", "try", "typeof", "uint", "ulong", "unchecked", "unsafe", "ushort",
        "using", "virtual", "void", "volatile", "while",
    };

    /// <summary>A model name as a C# identifier: invalid characters become _, the first letter upper case.</summary>
    public static string Identifier(string name)
    {
        var b = new StringBuilder(name.Length + 1);
        foreach (var c in name) b.Append(char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_');
        if (b.Length == 0 || char.IsAsciiDigit(b[0])) b.Insert(0, '_');
        b[0] = char.ToUpperInvariant(b[0]);
        var s = b.ToString();
        return Keywords.Contains(s) ? "@" + s : s;
    }

    /// <summary>An enum value as a PascalCase constant name: "RUNNING" → Running, "us-east-1" → UsEast1, "G.1X" → G1X.</summary>
    public static string Constant(string value)
    {
        var b = new StringBuilder();
        foreach (var token in Separators().Split(value).Where(t => t.Length > 0))
        {
            var hasDigit = token.Any(char.IsAsciiDigit);
            var uniform = token.All(c => !char.IsAsciiLetter(c) || char.IsAsciiLetterUpper(c)) || token.All(c => !char.IsAsciiLetter(c) || char.IsAsciiLetterLower(c));
            b.Append(char.ToUpperInvariant(token[0]));
            b.Append(uniform && !hasDigit ? token[1..].ToLowerInvariant() : token[1..]);
        }
        if (b.Length == 0) return "Empty";
        return char.IsAsciiDigit(b[0]) ? "_" + b : b.ToString();
    }

    public static string Literal(string value) => System.Text.Json.JsonSerializer.Serialize(value,
        new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    [GeneratedRegex("[^A-Za-z0-9]+")]
    private static partial Regex Separators();
}
