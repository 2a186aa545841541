using System.Text.Json;
using IrTrail.Core.Report;
using IrTrail.Tests.Engine;
using IrTrail.Tests.Support;
using Microsoft.Playwright;

namespace IrTrail.Tests.Report;

/// <summary>
/// The dashboard in a real browser: Debian's headless Chromium (/usr/bin/chromium, installed by .ci/run) driven by
/// Playwright for .NET through its executable path (Playwright's own browser download is never used). The page must
/// load with no console error and no network request, and every panel must render. Screenshots are kept under
/// out/TestResults for a person to look at.
/// </summary>
[Collection(DashboardCollection.Name)]
public sealed class DashboardBrowserTests(DashboardDatasets data)
{
    private const string Chromium = "/usr/bin/chromium";

    private static readonly string[] Panels =
    [
        "timeline", "accountRegion", "topEventNames", "topErrorCodes", "topPrincipals", "topSourceIps", "rootActivity",
        "consoleSignins", "writes", "apiErrors", "ipActivity", "instanceRoleS3", "findings",
    ];

    private static string Artifacts
    {
        get
        {
            var d = Path.Combine(TestPaths.RepoRoot, "out", "TestResults");
            Directory.CreateDirectory(d);
            return d;
        }
    }

    private sealed class PageRun
    {
        public List<string> ConsoleErrors { get; } = [];
        public List<string> Requests { get; } = [];
        public Dictionary<string, int> Rendered { get; set; } = [];
    }

    private static async Task<(IPlaywright, IBrowser)> LaunchAsync()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: install Debian's chromium package (apt-get install chromium; .ci/run does it).");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            // This machine's network is closed: keep Chromium from trying its own background connections.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
        });
        return (playwright, browser);
    }

    private static async Task<PageRun> OpenAsync(IBrowser browser, string html, string screenshot, ColorScheme scheme, Func<IPage, Task>? more = null)
    {
        var run = new PageRun();
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 1440, Height = 900 }, ColorScheme = scheme,
        });
        // Every request is recorded, and anything but the page itself is refused.
        var pageUrl = new Uri(html).AbsoluteUri;
        await context.RouteAsync("**/*", route =>
        {
            run.Requests.Add(route.Request.Url);
            return route.Request.Url == pageUrl ? route.ContinueAsync() : route.AbortAsync();
        });
        var page = await context.NewPageAsync();
        page.Console += (_, m) => { if (m.Type is "error" or "warning") run.ConsoleErrors.Add($"{m.Type}: {m.Text}"); };
        page.PageError += (_, e) => run.ConsoleErrors.Add("pageerror: " + e);
        await page.GotoAsync(pageUrl, new PageGotoOptions { WaitUntil = WaitUntilState.Load });
        await page.WaitForSelectorAsync("body[data-ready=true]", new PageWaitForSelectorOptions { Timeout = 30_000 });
        var rendered = await page.EvaluateAsync<string>(
            "() => JSON.stringify(Object.fromEntries([...document.querySelectorAll('[data-panel]')].map(p => [p.dataset.panel, (parseInt(p.dataset.rendered, 10) >= 0 ? parseInt(p.dataset.rendered, 10) : -1)])))");
        run.Rendered = JsonDocument.Parse(rendered).RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32());
        Assert.True(run.ConsoleErrors.Count == 0, "console: " + string.Join(" | ", run.ConsoleErrors));
        // Every chart box holds a drawn canvas.
        var blankCharts = await page.EvaluateAsync<int>(
            "() => [...document.querySelectorAll('.chart')].filter(c => !c.querySelector('canvas') || c.querySelector('canvas').width === 0).length");
        Assert.Equal(0, blankCharts);
        if (more is not null) await more(page);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
        // One picture per panel too: the full page is too tall to read at a glance.
        var panels = Path.Combine(Path.GetDirectoryName(screenshot)!, Path.GetFileNameWithoutExtension(screenshot) + "-panels");
        Directory.CreateDirectory(panels);
        foreach (var id in run.Rendered.Keys)
            await page.Locator("#" + id).ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine(panels, id + ".png") });
        await page.EvaluateAsync("() => window.scrollTo(0, 0)");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.ChangeExtension(screenshot, ".top.png") });
        return run;
    }

    [Fact]
    public async Task Sample_dashboard_renders_every_panel_offline_with_no_console_error()
    {
        var truth = data.GroundTruth.RootElement;
        DashboardModel model;
        model = DashboardBuilderTests.Build(data.Sample, new DashboardOptions { Title = "Sample incident", IpAddresses = [truth.GetProperty("maliciousIp").GetString()!] });
        var html = DashboardRenderer.Write(model, Path.Combine(Artifacts, "dashboard-sample.html")).FullName;

        var (playwright, browser) = await LaunchAsync();
        using (playwright)
        await using (browser)
        {
            var light = await OpenAsync(browser, html, Path.Combine(Artifacts, "dashboard-sample.png"), ColorScheme.Light, async page =>
            {
                // Header names the dataset, event count and version.
                var meta = await page.InnerTextAsync("#meta");
                Assert.Contains(data.Sample, meta);
                Assert.Contains(model.EventCount.ToString("N0", System.Globalization.CultureInfo.GetCultureInfo("en-US")), meta);
                Assert.Contains(model.Version, meta);

                // Tables sort and filter.
                var table = page.Locator("#apiErrors table");
                var header = table.Locator("th:text-is('events')");
                await header.ClickAsync();
                Assert.Equal("descending", await header.GetAttributeAsync("aria-sort"));
                var counts = await table.Locator("tbody tr td.num").AllInnerTextsAsync();
                Assert.NotEmpty(counts);
                var before = await table.Locator("tbody tr").CountAsync();
                await page.Locator("#apiErrors input[type=search]").FillAsync("AccessDenied");
                var after = await table.Locator("tbody tr").CountAsync();
                Assert.InRange(after, 1, before);
                Assert.All(await table.Locator("tbody tr").AllInnerTextsAsync(), r => Assert.Contains("AccessDenied", r));

                // Tooltips: hovering a bar of a chart shows the tooltip element.
                var chart = page.Locator("#topEventNames .chart");
                var box = (await chart.BoundingBoxAsync())!;
                await chart.ScrollIntoViewIfNeededAsync();
                box = (await chart.BoundingBoxAsync())!;
                await page.Mouse.MoveAsync(box.X + box.Width * 0.6f, box.Y + box.Height * 0.5f, new MouseMoveOptions { Steps = 5 });
                await page.WaitForFunctionAsync("() => [...document.querySelectorAll('#topEventNames .chart div')].some(d => d.style.display !== 'none' && d.style.opacity !== '0' && /events: \\d/.test(d.textContent))");

                // Print: the controls are hidden.
                await page.EmulateMediaAsync(new PageEmulateMediaOptions { Media = Media.Print });
                Assert.False(await page.Locator("#toc").IsVisibleAsync());
                await page.EmulateMediaAsync(new PageEmulateMediaOptions { Media = Media.Screen });
            });
            Assert.Empty(light.ConsoleErrors);
            Assert.Equal([new Uri(html).AbsoluteUri], light.Requests);
            Assert.Equal(Panels.Order(), light.Rendered.Keys.Order());
            Assert.All(Panels, p => Assert.True(light.Rendered[p] > 0, $"panel {p} rendered no data"));

            // Dark, from the reader's preference; the toggle switches back.
            var dark = await OpenAsync(browser, html, Path.Combine(Artifacts, "dashboard-sample-dark.png"), ColorScheme.Dark, async page =>
            {
                Assert.Equal("dark", await page.GetAttributeAsync("html", "data-theme"));
                await page.ClickAsync("#theme-toggle");
                Assert.Equal("light", await page.GetAttributeAsync("html", "data-theme"));
                await page.ClickAsync("#theme-toggle");
            });
            Assert.Empty(dark.ConsoleErrors);
            Assert.Single(dark.Requests);
        }
    }

    [SharedDataFact]
    public async Task Sans_lab_dashboard_renders_completely_offline()
    {
        var logs = Path.Combine(TestPaths.SharedData!, "sans504-s3-ransomware-lab");
        if (!Directory.Exists(logs)) return;
        var root = Path.Combine(data.Root, "sans-browser");
        await DatasetTestHelpers.ConvertAsync(logs, root);
        DashboardModel model;
        model = DashboardBuilderTests.Build(root, new DashboardOptions { Title = "SANS SEC504 S3 ransomware lab" });
        var html = DashboardRenderer.Write(model, Path.Combine(Artifacts, "dashboard-sans.html")).FullName;

        var (playwright, browser) = await LaunchAsync();
        using (playwright)
        await using (browser)
        {
            var run = await OpenAsync(browser, html, Path.Combine(Artifacts, "dashboard-sans.png"), ColorScheme.Light);
            Assert.Empty(run.ConsoleErrors);
            Assert.Single(run.Requests);
            Assert.Equal(Panels.Order(), run.Rendered.Keys.Order());
            // Each panel either drew its data or says there was none; the panels every CloudTrail log feeds have data.
            foreach (var p in Panels)
                Assert.Equal(model.Tables.GetValueOrDefault(PanelTable(p))?.Rows.Count ?? model.Findings.Count, run.Rendered[p]);
            foreach (var p in new[] { "timeline", "accountRegion", "topEventNames", "topPrincipals", "topSourceIps", "apiErrors", "findings" })
                Assert.True(run.Rendered[p] > 0, $"panel {p} rendered no data");
        }
    }

    /// <summary>A dashboard made outside the tests (bench/Measure-Dashboard.ps1 on the 1M-event corpus), named by
    /// IRTRAIL_DASHBOARD_HTML: it renders completely, offline. Skipped when the variable is not set.</summary>
    [ExternalDashboardFact]
    public async Task External_dashboard_renders_completely_offline()
    {
        var html = Path.GetFullPath(Environment.GetEnvironmentVariable(ExternalDashboardFactAttribute.Variable)!);
        var (playwright, browser) = await LaunchAsync();
        using (playwright)
        await using (browser)
        {
            var run = await OpenAsync(browser, html, Path.Combine(Artifacts, "dashboard-external.png"), ColorScheme.Light);
            Assert.Empty(run.ConsoleErrors);
            Assert.Single(run.Requests);
            Assert.Equal(Panels.Order(), run.Rendered.Keys.Order());
            Assert.All(run.Rendered.Values, n => Assert.True(n >= 0));
            foreach (var p in new[] { "timeline", "accountRegion", "topEventNames", "topPrincipals", "topSourceIps", "findings" })
                Assert.True(run.Rendered[p] > 0, $"panel {p} rendered no data");
        }
    }

    private static string PanelTable(string panel) => panel switch
    {
        "consoleSignins" => DashboardBuilder.Tables.ConsoleSignins,
        "writes" => DashboardBuilder.Tables.WriteActions,
        "findings" => "",
        _ => panel,
    };
}

public sealed class ExternalDashboardFactAttribute : FactAttribute
{
    public const string Variable = "IRTRAIL_DASHBOARD_HTML";

    public ExternalDashboardFactAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Variable))) Skip = $"{Variable} names no dashboard file.";
    }
}
