using System.Net;
using System.Text;
using System.Text.Json;

namespace IrTrail.Core.Report;

/// <summary>
/// Lays a <see cref="DashboardModel"/> out as ONE self-contained HTML file: the page, its style, its script, the
/// charting library (ECharts, embedded at build time from npm) and the data are all inline, so opening it makes no
/// network request.
/// </summary>
public static class DashboardRenderer
{
    private static readonly JsonSerializerOptions Json = new()
    {
        // The default encoder escapes <, > and &: the data cannot close its <script> element.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.Default,
        WriteIndented = false,
    };

    public static string Render(DashboardModel model)
    {
        var page = Resource("dashboard.html");
        var data = JsonSerializer.Serialize(model, Json);
        // Replacements in a fixed order, each placeholder once; the library and data go last so nothing in them is
        // mistaken for a placeholder.
        return new StringBuilder(page)
            .Replace("{{TITLE}}", WebUtility.HtmlEncode(model.Title))
            .Replace("/*{{CSS}}*/", Resource("dashboard.css"))
            .Replace("/*{{APP}}*/", Resource("dashboard.js"))
            .Replace("/*{{ECHARTS}}*/", Resource("echarts.min.js"))
            .Replace("{{DATA}}", data)
            .ToString();
    }

    /// <summary>Writes the page atomically (temporary name, then rename) and returns the file.</summary>
    public static FileInfo Write(DashboardModel model, string destination)
    {
        var html = Render(model);
        var full = Path.GetFullPath(destination);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temp = full + ".tmp-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            File.WriteAllText(temp, html, new UTF8Encoding(false));
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
        return new FileInfo(full);
    }

    private static string Resource(string name)
    {
        using var s = typeof(DashboardRenderer).Assembly.GetManifestResourceStream("IrTrail.Report." + name)
            ?? throw new InvalidOperationException($"The dashboard resource '{name}' is not embedded in IrTrail.Core (was the build's npm restore skipped?).");
        using var r = new StreamReader(s, Encoding.UTF8);
        return r.ReadToEnd();
    }
}
