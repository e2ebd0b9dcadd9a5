using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using OpenQA.Selenium;
using ProverMarketChain.Indexer.Hosting;
using ProverMarketChain.Indexer.Storage;
using ProverMarketChain.Indexer.Synthetic;
using ProverMarketChain.Indexer.Tests.Infrastructure;
using Xunit.Abstractions;

namespace ProverMarketChain.Indexer.Tests.Dashboard;

/// <summary>
/// The dashboard in a real (headless) Chromium against the serve-only host on a synthetic history: every number it shows
/// equals what the API serves, it follows new blocks without a reload, a recent request opens its own page, it fits a
/// phone, it follows the system's dark and light modes, and it logs no JS errors. Screenshots go to the test output folder
/// (and, when <c>PMC_SCREENSHOT_DIR</c> is set, <c>dashboard-light.png</c>, <c>dashboard-dark.png</c> and
/// <c>dashboard-phone.png</c> there, for the README).
/// </summary>
public sealed class DashboardBrowserTests(DashboardBrowserTests.Histories histories, ITestOutputHelper output)
    : IClassFixture<DashboardBrowserTests.Histories>
{
    private const string Market = "0x00000000000000000000000000000000000000aa";

    public static TheoryData<DatabaseKind> Engines => new() { DatabaseKind.Sqlite, DatabaseKind.Postgres };

    // ------------------------------------------------------------------ tests

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task test_dashboard_showsExactlyTheApisNumbers(DatabaseKind engine)
    {
        var site = await histories.ServedAsync(engine);
        using var browser = HeadlessChromium.Start();
        browser.Open(site.Page("/"));
        var all = await WaitForDashboardAsync(browser, site, "All", "all");
        Assert.Equal(Histories.Shape.Requests.ToString(CultureInfo.InvariantCulture), all["count-total"]);

        // Concentration of one mode, then another, chosen with the mode <select> (no new request: the answer has every mode).
        IReadOnlyDictionary<string, string> shown = all;
        foreach (var mode in new[] { "Dutch", "SealedBid" })
        {
            SelectOption(browser, "prover-mode", mode);
            shown = await WaitForDashboardAsync(browser, site, mode, "all");
            Assert.NotEqual("0", shown["prover-fulfilments"]);
            Assert.NotEqual(all["prover-fulfilments"], shown["prover-fulfilments"]);
        }
        // A shorter window, fetched anew (shares count by submission hour, and the history's last hour only settles
        // earlier requests, so it is empty), then a reload keeps both choices (they live in the address bar).
        SelectOption(browser, "prover-window", "1h");
        var lastHour = await WaitForDashboardAsync(browser, site, "SealedBid", "1h");
        Assert.True(long.Parse(lastHour["prover-fulfilments"], CultureInfo.InvariantCulture) < long.Parse(shown["prover-fulfilments"], CultureInfo.InvariantCulture));
        Assert.Contains("mode=SealedBid", browser.Driver.Url, StringComparison.Ordinal);
        Assert.Contains("window=1h", browser.Driver.Url, StringComparison.Ordinal);
        browser.Driver.Navigate().Refresh();
        await WaitForDashboardAsync(browser, site, "SealedBid", "1h");
        Assert.Equal("SealedBid", browser.Js("return document.querySelector('[data-testid=\"prover-mode\"]').value"));

        browser.AssertNoJsErrors();
    }

    [Fact]
    public async Task test_dashboard_followsNewBlocksWithoutAReload()
    {
        var market = new SyntheticMarket(new SyntheticOptions(Requests: 400, Provers: 10, Requesters: 12, Seed: 23));
        var blocks = market.Blocks().ToList();
        var cut = 50; // 200 of the 400 requests submitted (4 a block), the first ones settled
        var store = await TestDatabases.CreateAsync(DatabaseKind.Sqlite);
        await IndexAsync(store, blocks.Take(cut));
        await using var site = await ServedIndex.StartAsync(store);
        using var browser = HeadlessChromium.Start();
        browser.Open(site.Page("/?refresh=250"));
        var before = await WaitForDashboardAsync(browser, site, "All", "all");
        browser.Js("window.__marker = 1;");
        var total = browser.Driver.FindElement(By.CssSelector("[data-testid='count-total']"));

        await IndexAsync(store, blocks.Skip(cut));
        var after = await WaitForDashboardAsync(browser, site, "All", "all");

        Assert.Equal("400", after["count-total"]);
        Assert.NotEqual(before["count-total"], after["count-total"]);
        Assert.NotEqual(before["indexed-block"], after["indexed-block"]);
        Assert.NotEqual(before["total-fees-paid@value"], after["total-fees-paid@value"]);
        Assert.NotEqual(before["recent-rows"], after["recent-rows"]);
        // The same page (not reloaded), and the same element, rewritten in place.
        Assert.Equal(1L, browser.Js("return window.__marker === undefined ? null : window.__marker;"));
        Assert.Equal("400", total.Text);
        browser.AssertNoJsErrors();
    }

    [Fact]
    public async Task test_recentRequest_opensItsPageWithTheApisFieldsAndTimeline()
    {
        var site = await histories.ServedAsync(DatabaseKind.Sqlite);
        using var browser = HeadlessChromium.Start();
        browser.Open(site.Page("/"));
        var dashboard = await WaitForDashboardAsync(browser, site, "All", "all");

        // The recent request with the longest history (a sealed auction or a slashed job shows the most of the timeline).
        var ids = dashboard["recent-rows"].Split('\n').Select(l => l.Split(' ')[0]).ToList();
        var details = new List<JsonNode>();
        foreach (var id in ids) details.Add(await site.GetAsync($"/v1/requests/{id}"));
        var detail = details.MaxBy(d => d["history"]!.AsArray().Count)!;
        var requestId = Str(detail["request"]!["requestId"])!;

        var link = browser.Driver.FindElement(By.CssSelector($"tr[data-request-id='{requestId}'] a[data-testid='recent-link']"));
        browser.Js("arguments[0].scrollIntoView({ block: 'center' });", link);
        link.Click();
        browser.WaitUntil(() => browser.Driver.Url.Contains("/request.html?id=", StringComparison.Ordinal), "the request's page opens", () => browser.Driver.Url);
        var expected = ExpectedRequestPage(detail);
        WaitForShown(browser, expected, RequestSnapshotJs, $"the page of {requestId} shows /v1/requests/{{id}}");
        Assert.Equal(site.Page($"/request.html?id={requestId}").PathAndQuery, new Uri(browser.Driver.Url).PathAndQuery);
        Assert.True(detail["history"]!.AsArray().Count >= 4, "the chosen request has a real timeline");

        // Back to the dashboard by its link.
        browser.Driver.FindElement(By.CssSelector("[data-testid='back-link']")).Click();
        await WaitForDashboardAsync(browser, site, "All", "all");
        browser.AssertNoJsErrors();
    }

    [Fact]
    public async Task test_requestPage_showsARequestersMarkupAsText()
    {
        // A hostile requester chooses its input URI (and its bytes): the request's page must show it as text, never run it.
        const string payload = "\"><img src=x onerror=\"window.__xss=1\"><script>window.__xss=2</script>";
        var blocks = new SyntheticMarket(new SyntheticOptions(Requests: 8, Provers: 3, Seed: 31)).Blocks().ToList();
        var submitted = blocks.SelectMany(b => b.Events).First(e => e.Name == "RequestSubmitted");
        submitted.Data["inputUri"] = payload;
        var store = await TestDatabases.CreateAsync(DatabaseKind.Sqlite);
        await IndexAsync(store, blocks);
        await using var site = await ServedIndex.StartAsync(store);
        using var browser = HeadlessChromium.Start();
        browser.Open(site.Page($"/request.html?id={submitted.RequestId}&refresh=0"));
        browser.WaitUntil(() => browser.Driver.FindElements(By.CssSelector("[data-testid='timeline-item']")).Count > 0, "the timeline is shown");
        browser.WaitUntil(() => browser.Driver.FindElement(By.TagName("body")).Text.Contains("window.__xss=2", StringComparison.Ordinal),
            "the payload is shown literally", () => browser.Driver.FindElement(By.TagName("body")).Text);
        Assert.Null(browser.Js("return window.__xss === undefined ? null : window.__xss;"));
        Assert.Empty(browser.Driver.FindElements(By.CssSelector("main img[src='x'], body script:not([src])")));
        browser.AssertNoJsErrors();
    }

    [Fact]
    public async Task test_phoneWidth_noHorizontalScrollAndKeyPanelsVisible()
    {
        var site = await histories.ServedAsync(DatabaseKind.Sqlite);
        using var browser = HeadlessChromium.Start();
        browser.EmulatePhone(375);
        browser.Open(site.Page("/"));
        var shown = await WaitForDashboardAsync(browser, site, "All", "all");
        browser.WaitForPaint();
        Assert.Equal(375L, browser.Js("return document.documentElement.clientWidth;"));
        AssertFitsWidth(browser, "the dashboard");
        foreach (var panel in new[] { "count-total", "count-fulfilled", "total-fees-paid", "latency-p50", "hhi", "prover-mode" })
            AssertVisibleWithin(browser, $"[data-testid='{panel}']");
        foreach (var heading in new[] { "h-requests", "h-latency", "h-fees", "h-provers", "h-recent" })
            AssertVisibleWithin(browser, $"section[aria-labelledby='{heading}']");
        foreach (var canvas in new[] { "chart-status", "chart-mode", "chart-latency", "chart-fees", "chart-provers" })
            AssertVisibleWithin(browser, $"#{canvas}");
        Assert.NotEmpty(browser.Driver.FindElements(By.CssSelector("[data-testid='recent-row']")));
        SaveScreenshot(browser, "dashboard-phone.png", publishedHeight: 1500);
        browser.EmulateColourScheme("dark");
        browser.WaitUntil(() => IsDark(BodyBackground(browser)), "the page turns dark", () => BodyBackground(browser));
        SaveScreenshot(browser, "dashboard-phone-dark.png");
        browser.EmulateColourScheme("light");

        // The request's page fits too.
        var id = shown["recent-rows"].Split('\n')[0].Split(' ')[0];
        browser.Open(site.Page($"/request.html?id={id}"));
        WaitForShown(browser, ExpectedRequestPage(await site.GetAsync($"/v1/requests/{id}")), RequestSnapshotJs, "the request's page loads");
        browser.WaitForPaint();
        AssertFitsWidth(browser, "the request's page");
        AssertVisibleWithin(browser, "[data-testid='request-status']");
        AssertVisibleWithin(browser, "#timeline");
        browser.AssertNoJsErrors();
    }

    [Fact]
    public async Task test_colourScheme_followsTheSystemsDarkAndLightMode()
    {
        var site = await histories.ServedAsync(DatabaseKind.Sqlite);
        using var browser = HeadlessChromium.Start();
        browser.Open(site.Page("/"));
        await WaitForDashboardAsync(browser, site, "All", "all");
        var light = BodyBackground(browser);
        Assert.False(IsDark(light), $"light mode has a light background, got {light}");
        var lightFee = FeeLineColour(browser);
        Assert.Equal(lightFee.Css, lightFee.Chart);
        SaveScreenshot(browser, "dashboard-light.png", publishedHeight: 1400);

        browser.EmulateColourScheme("dark");
        browser.WaitUntil(() => BodyBackground(browser) != light, "the background follows the dark scheme", () => BodyBackground(browser));
        var dark = BodyBackground(browser);
        Assert.True(IsDark(dark), $"dark mode has a dark background, got {dark}");
        // The charts take the dark palette too (app.js re-reads the CSS variables when the preference changes).
        browser.WaitUntil(() => FeeLineColour(browser) is var c && c.Chart == c.Css && c.Css != lightFee.Css, "the fee chart's line takes the dark colour",
            () => FeeLineColour(browser).ToString());
        Assert.NotEqual(browser.Js("return getComputedStyle(document.body).color;"), browser.Js("return getComputedStyle(document.body).backgroundColor;"));
        SaveScreenshot(browser, "dashboard-dark.png", publishedHeight: 1400);

        // And back, without a reload.
        browser.Js("window.__marker = 1;");
        browser.EmulateColourScheme("light");
        browser.WaitUntil(() => BodyBackground(browser) == light, "the background follows the light scheme again", () => BodyBackground(browser));
        Assert.Equal(1L, browser.Js("return window.__marker === undefined ? null : window.__marker;"));

        // The browser log is really read (so that every test's "no JS errors" means something): a probe error shows up,
        // and nothing else did.
        browser.Js("console.error('pmc-log-probe');");
        var severe = new List<string>();
        browser.WaitUntil(() =>
        {
            severe.AddRange(browser.SevereLogEntries());
            return severe.Any(x => x.Contains("pmc-log-probe", StringComparison.Ordinal));
        }, "the probe error appears in the browser log", () => string.Join("\n", severe));
        Assert.Empty(severe.Where(x => !x.Contains("pmc-log-probe", StringComparison.Ordinal)));
    }

    // ------------------------------------------------------------------ the dashboard against the API

    /// <summary>What the dashboard must show, from the API: text by data-testid (amounts: <c>id@value</c> holds the wei), and the rows.</summary>
    private static async Task<SortedDictionary<string, string>> ExpectedDashboardAsync(ServedIndex site, string mode, string window)
    {
        var health = await site.GetAsync("/health");
        var summary = await site.GetAsync("/v1/market/summary?interval=hour");
        var recent = await site.GetAsync("/v1/requests?limit=20");
        var decentral = await site.GetAsync($"/v1/decentralization?window={window}");
        var e = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["health-status"] = Str(health["status"]) ?? "—",
            ["indexed-block"] = Num(health["indexedBlock"]),
            ["head-block"] = Num(health["headBlock"]),
            ["lag-blocks"] = Num(health["lagBlocks"]),
            ["lag-seconds"] = Num(health["lagSeconds"]),
        };
        var t = summary["totals"]!;
        e["count-total"] = Num(t["requests"]);
        e["count-fulfilled"] = Num(t["fulfilled"]);
        e["unique-provers"] = Num(t["uniqueProvers"]);
        e["unique-requesters"] = Num(t["uniqueRequesters"]);
        e["gas-per-request"] = Num(t["gasPerRequest"]);
        Amount(e, "total-fees-paid", t["feesPaid"]);
        Amount(e, "total-max-fees", t["maxFees"]);
        Amount(e, "total-reserve-fees", t["reserveFees"]);
        Amount(e, "total-protocol-fees", t["protocolFees"]);
        foreach (var (kind, field) in new[] { ("status", "byStatus"), ("mode", "byMode") })
        {
            var counts = t[field]!.AsObject();
            e[$"{kind}-keys"] = string.Join(",", counts.Select(kv => kv.Key).Order(StringComparer.Ordinal));
            foreach (var (k, v) in counts) e[$"count-{kind}-{k}"] = Num(v);
        }
        e["latency-p50"] = Num(t["latencyP50"]);
        e["latency-p90"] = Num(t["latencyP90"]);
        e["latency-p99"] = Num(t["latencyP99"]);

        // The charts' data (Chart.js keeps it on the chart): the breakdowns, every delivered request in a latency bar,
        // and per hour the mean fee of a fulfilled request against the mean reserve and maximum of all requests (exact wei).
        foreach (var (chart, field) in new[] { ("status", "byStatus"), ("mode", "byMode") })
            e[$"chart-{chart}"] = string.Join(",", t[field]!.AsObject().Select(kv => $"{kv.Key}:{Num(kv.Value)}").Order(StringComparer.Ordinal));
        e["chart-latency-total"] = t["latencyHistogram"]!.AsArray().Sum(h => h!["count"]!.GetValue<long>()).ToString(CultureInfo.InvariantCulture);
        var buckets = summary["buckets"]!.AsArray().ToDictionary(b => b!["start"]!.GetValue<long>(), b => b!);
        var hours = buckets.Count == 0 ? [] : Enumerable.Range(0, (int)((buckets.Keys.Max() - buckets.Keys.Min()) / 3600) + 1).Select(i => buckets.Keys.Min() + i * 3600L).ToList();
        e["chart-fees"] = string.Join("|", new[] { ("feesPaid", "fulfilled"), ("reserveFees", "requests"), ("maxFees", "requests") }
            .Select(x => string.Join(",", hours.Select(h => buckets.TryGetValue(h, out var b) ? MeanWei(b[x.Item1], b[x.Item2]) : ""))));

        var m = decentral["modes"]!.AsArray().Single(x => Str(x!["mode"]) == mode)!;
        e["hhi"] = Rounded(m["hhi"]);
        e["hhi-fees"] = Rounded(m["hhiFees"]);
        e["nakamoto"] = Num(m["nakamoto"]);
        e["nakamoto-fees"] = Num(m["nakamotoFees"]);
        e["gini"] = Fixed(m["gini"], 3);
        e["gini-fees"] = Fixed(m["giniFees"], 3);
        e["prover-fulfilments"] = Num(m["fulfilments"]);
        Amount(e, "prover-fees", m["fees"]);
        var provers = m["provers"]!.AsArray().OrderByDescending(p => p!["fulfilments"]!.GetValue<long>()).ToList(); // stable, like the page's sort
        var others = provers.Skip(8).Sum(p => p!["fulfilments"]!.GetValue<long>());
        e["chart-provers"] = string.Join(",", provers.Take(8).Select(p => $"{ShortHex(Str(p!["address"])!)}:{Num(p["fulfilments"])}")
            .Concat(others > 0 ? [$"Others:{others}"] : []));
        e["prover-rows"] = string.Join("\n", provers
            .Select(p => $"{Str(p!["address"])} {Num(p["fulfilments"])} {Pct(p["fulfilmentShare"])} {Str(p["fees"])} {Pct(p["feeShare"])}"));
        e["recent-rows"] = string.Join("\n", recent["items"]!.AsArray()
            .Select(r => $"{Str(r!["requestId"])} {Str(r["mode"])} {Str(r["status"])} {Str(r["prover"]) ?? "—"} {Str(r["payment"]) ?? Str(r["fee"]) ?? ""} {Num(r["deliveredLatency"])}"));
        return e;
    }

    /// <summary>Everything the dashboard shows, in the form of <see cref="ExpectedDashboardAsync"/>.</summary>
    private const string DashboardSnapshotJs = """
        const q = (id, root) => (root || document).querySelector(`[data-testid="${id}"]`);
        const out = {};
        for (const n of document.querySelectorAll('[data-testid]')) {
          if (n.closest('[data-testid="recent-row"], [data-testid="prover-row"]')) continue;
          out[n.dataset.testid] = n.textContent;
          if (n.dataset.value !== undefined) out[n.dataset.testid + '@value'] = n.dataset.value;
        }
        for (const kind of ['status', 'mode']) {
          out[kind + '-keys'] = [...document.querySelectorAll(`[data-testid^="count-${kind}-"]`)]
            .map((n) => n.dataset.testid.slice(kind.length + 7)).sort().join(',');
        }
        out['prover-rows'] = [...document.querySelectorAll('[data-testid="prover-row"]')].map((tr) => [
          tr.dataset.address, q('prover-row-fulfilments', tr).textContent, q('prover-row-share', tr).textContent,
          q('prover-row-fees', tr).dataset.value, q('prover-row-fee-share', tr).textContent].join(' ')).join('\n');
        out['recent-rows'] = [...document.querySelectorAll('[data-testid="recent-row"]')].map((tr) => [
          tr.dataset.requestId, q('recent-mode', tr).textContent, q('recent-status', tr).textContent,
          q('recent-prover', tr).title || q('recent-prover', tr).textContent, q('recent-fee', tr).dataset.value,
          q('recent-latency', tr).textContent].join(' ')).join('\n');
        const chart = (id) => (window.Chart && Chart.getChart(id)) || null;
        const pairs = (id) => chart(id) ? chart(id).data.labels.map((l, i) => `${l}:${chart(id).data.datasets[0].data[i]}`) : ['no chart'];
        out['chart-status'] = pairs('chart-status').sort().join(',');
        out['chart-mode'] = pairs('chart-mode').sort().join(',');
        out['chart-provers'] = pairs('chart-provers').join(',');
        out['chart-latency-total'] = chart('chart-latency') ? String(chart('chart-latency').data.datasets[0].data.reduce((a, b) => a + b, 0)) : 'no chart';
        out['chart-fees'] = chart('chart-fees') ? chart('chart-fees').data.datasets.map((d) => d.rawWei.map((v) => v ?? '').join(',')).join('|') : 'no chart';
        out['selected-mode'] = q('prover-mode').value;
        out['selected-window'] = q('prover-window').value;
        return JSON.stringify(out);
        """;

    /// <summary>Waits until the dashboard shows exactly what the API serves for this selection; returns what it shows.</summary>
    private static async Task<IReadOnlyDictionary<string, string>> WaitForDashboardAsync(HeadlessChromium browser, ServedIndex site, string mode, string window)
    {
        var expected = await ExpectedDashboardAsync(site, mode, window);
        expected["selected-mode"] = mode;
        expected["selected-window"] = window;
        return WaitForShown(browser, expected, DashboardSnapshotJs, $"the dashboard ({mode}, {window}) shows the API's numbers");
    }

    // ------------------------------------------------------------------ the request's page against the API

    private static SortedDictionary<string, string> ExpectedRequestPage(JsonNode detail)
    {
        var r = detail["request"]!;
        var history = detail["history"]!.AsArray();
        var e = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["request-id"] = Str(r["requestId"])!,
            ["request-status"] = Str(r["status"])!,
            ["request-mode"] = Str(r["mode"])!,
            ["request-prover"] = Str(r["prover"]) ?? "—",
            ["request-requester"] = Str(r["requester"]) ?? "—",
            ["request-delivered-latency"] = Num(r["deliveredLatency"]),
            ["request-promised-latency"] = Num(r["promisedLatency"]),
            ["request-circuit"] = Num(r["circuitId"]),
            ["request-slash-count"] = Num(r["slashCount"]),
            ["request-submitted-block"] = Num(r["submittedBlock"]),
            ["request-submitted-at@value"] = Num(r["submittedAt"]),
            ["request-assigned-at@value"] = r["assignedAt"] is null ? "" : Num(r["assignedAt"]),
            ["request-fulfilled-at@value"] = r["fulfilledAt"] is null ? "" : Num(r["fulfilledAt"]),
            ["timeline-count"] = history.Count.ToString(CultureInfo.InvariantCulture),
            ["timeline"] = string.Join("\n", history.Select(h => $"{Str(h!["event"])} {Str(h["contract"])} {Num(h["block"])}:{Num(h["logIndex"])}")),
        };
        Amount(e, "request-fee", r["fee"]);
        Amount(e, "request-max-fee", r["maxFee"]);
        Amount(e, "request-reserve-fee", r["reserveFee"]);
        Amount(e, "request-collateral", r["collateral"]);
        return e;
    }

    private const string RequestSnapshotJs = """
        const out = {};
        for (const n of document.querySelectorAll('[data-testid]')) {
          if (n.closest('[data-testid="timeline-item"]')) continue;
          out[n.dataset.testid] = n.textContent;
          if (n.dataset.value !== undefined) out[n.dataset.testid + '@value'] = n.dataset.value;
        }
        out['timeline'] = [...document.querySelectorAll('[data-testid="timeline-item"]')].map((li) =>
          `${li.dataset.event} ${li.querySelector('.tl-contract').textContent} ${li.dataset.key.split(':').slice(0, 2).join(':')}`
          + (li.querySelector('.tl-event').textContent === li.dataset.event ? '' : ' (shown as ' + li.querySelector('.tl-event').textContent + ')')).join('\n');
        return JSON.stringify(out);
        """;

    // ------------------------------------------------------------------ waiting and comparing

    /// <summary>Waits until every key of <paramref name="expected"/> is shown as expected; the failure lists each difference.</summary>
    private static IReadOnlyDictionary<string, string> WaitForShown(HeadlessChromium browser, IReadOnlyDictionary<string, string> expected, string snapshotJs, string what)
    {
        Dictionary<string, string> shown = [];
        browser.WaitUntil(() =>
        {
            shown = browser.JsJson(snapshotJs)!.AsObject().ToDictionary(kv => kv.Key, kv => kv.Value?.GetValue<string>() ?? "");
            return Differences(expected, shown).Count == 0;
        }, what, () => string.Join("\n", Differences(expected, shown)));
        return shown;
    }

    private static List<string> Differences(IReadOnlyDictionary<string, string> expected, IReadOnlyDictionary<string, string> shown) =>
        expected.Where(kv => !shown.TryGetValue(kv.Key, out var s) || s != kv.Value)
            .Select(kv => $"  {kv.Key}: API {Quote(kv.Value)}, page {(shown.TryGetValue(kv.Key, out var s) ? Quote(s) : "(missing)")}")
            .ToList();

    private static string Quote(string s) => s.Contains('\n') ? $"\n    {s.Replace("\n", "\n    ", StringComparison.Ordinal)}\n" : $"'{s}'";

    private static void SelectOption(HeadlessChromium browser, string testid, string value)
    {
        browser.Driver.FindElement(By.CssSelector($"[data-testid='{testid}']")).Click();
        browser.Driver.FindElement(By.CssSelector($"[data-testid='{testid}'] option[value='{value}']")).Click();
        browser.WaitUntil(() => (string?)browser.Js($"return document.querySelector('[data-testid=\"{testid}\"]').value;") == value, $"{testid} is {value}");
    }

    // ------------------------------------------------------------------ layout and colours

    private static void AssertFitsWidth(HeadlessChromium browser, string what)
    {
        var m = browser.JsJson("""
            const cw = document.documentElement.clientWidth;
            // Elements sticking out of the viewport sideways (wide tables scroll inside their own .table-wrap).
            const out = [...document.body.querySelectorAll('*')].filter((n) => {
              if (n.closest('.table-wrap')) return false;
              const r = n.getBoundingClientRect();
              return r.width > 0 && (r.right > cw + 0.5 || r.left < -0.5);
            }).slice(0, 10).map((n) => `${n.tagName.toLowerCase()}${n.id ? '#' + n.id : ''}.${[...n.classList].join('.')} ${n.dataset.testid || ''}: ${Math.round(n.getBoundingClientRect().left)}..${Math.round(n.getBoundingClientRect().right)}`);
            return JSON.stringify({ scrollWidth: document.documentElement.scrollWidth, clientWidth: cw, bodyScrollWidth: document.body.scrollWidth, out });
            """)!;
        var (scroll, client, body) = ((int)m["scrollWidth"]!, (int)m["clientWidth"]!, (int)m["bodyScrollWidth"]!);
        var outside = string.Join("; ", m["out"]!.AsArray().Select(x => (string)x!));
        Assert.True(scroll <= client && body <= client && outside.Length == 0,
            $"{what} scrolls sideways at {client} px: scrollWidth {scroll}, body {body}; outside the viewport: {outside}");
    }

    private static void AssertVisibleWithin(HeadlessChromium browser, string css)
    {
        var node = browser.Driver.FindElement(By.CssSelector(css));
        Assert.True(node.Displayed, $"{css} is displayed");
        var r = browser.JsJson("const r = arguments[0].getBoundingClientRect(); return JSON.stringify({ l: r.left, r: r.right, w: r.width, h: r.height, cw: document.documentElement.clientWidth });", node)!;
        var (left, right, w, h, cw) = ((double)r["l"]!, (double)r["r"]!, (double)r["w"]!, (double)r["h"]!, (double)r["cw"]!);
        Assert.True(w > 0 && h > 0 && left >= -0.5 && right <= cw + 0.5, $"{css} lies within the {cw} px viewport: {left}..{right} ({w} x {h})");
    }

    /// <summary>The fee line's colour on the chart, and the CSS variable it should follow.</summary>
    private static (string Chart, string Css) FeeLineColour(HeadlessChromium browser)
    {
        var c = browser.JsJson("return JSON.stringify({ chart: String(Chart.getChart('chart-fees').data.datasets[0].borderColor), css: getComputedStyle(document.documentElement).getPropertyValue('--chart-fee').trim() });")!;
        return ((string)c["chart"]!, (string)c["css"]!);
    }

    private static string BodyBackground(HeadlessChromium browser) => (string)browser.Js("return getComputedStyle(document.body).backgroundColor;")!;

    /// <summary>Whether an <c>rgb(r, g, b)</c> colour is dark (relative luminance below a half).</summary>
    private static bool IsDark(string rgb)
    {
        var parts = rgb[(rgb.IndexOf('(') + 1)..rgb.IndexOf(')')].Split(',').Select(p => double.Parse(p.Trim(), CultureInfo.InvariantCulture)).ToArray();
        return (0.2126 * parts[0] + 0.7152 * parts[1] + 0.0722 * parts[2]) / 255 < 0.5;
    }

    /// <summary>
    /// A full-page screenshot into the test output folder, and, when PMC_SCREENSHOT_DIR is set and
    /// <paramref name="publishedHeight"/> given, the README's version there: the page's top <paramref name="publishedHeight"/>
    /// CSS pixels (everything but the bulk of the recent requests, which keeps the PNG small).
    /// </summary>
    private void SaveScreenshot(HeadlessChromium browser, string name, int? publishedHeight = null)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "screenshots", name);
        browser.SaveFullPageScreenshot(path);
        output.WriteLine($"screenshot: {path} ({new FileInfo(path).Length / 1024} KiB)");
        if (publishedHeight is { } height && Environment.GetEnvironmentVariable("PMC_SCREENSHOT_DIR") is { Length: > 0 } dir)
        {
            var published = Path.GetFullPath(Path.Combine(dir, name));
            browser.SaveFullPageScreenshot(published, height);
            output.WriteLine($"screenshot: {published} ({new FileInfo(published).Length / 1024} KiB)");
        }
    }

    // ------------------------------------------------------------------ the page's number formats

    private static string? Str(JsonNode? n) => n?.GetValue<string>();

    /// <summary>PM.numText: the integer, or '—' for null.</summary>
    private static string Num(JsonNode? n) => n is null ? "—" : n.GetValue<long>().ToString(CultureInfo.InvariantCulture);

    /// <summary>Math.round of a concentration index.</summary>
    private static string Rounded(JsonNode? n) => n is null ? "—" : Math.Round(n.GetValue<double>(), MidpointRounding.AwayFromZero).ToString(CultureInfo.InvariantCulture);

    /// <summary>Number.prototype.toFixed.</summary>
    private static string Fixed(JsonNode? n, int digits) => n is null ? "—" : n.GetValue<double>().ToString("F" + digits, CultureInfo.InvariantCulture);

    /// <summary>PM.pct: a share as "12.3 %".</summary>
    private static string Pct(JsonNode? n) => n is null ? "—" : (n.GetValue<double>() * 100).ToString("F1", CultureInfo.InvariantCulture) + " %";

    /// <summary>PM.meanWei: the floor of a wei sum over a count, '' without a count.</summary>
    private static string MeanWei(JsonNode? sum, JsonNode? n) =>
        Str(sum) is { } wei && n is not null && n.GetValue<long>() > 0
            ? (BigInteger.Parse(wei, CultureInfo.InvariantCulture) / n.GetValue<long>()).ToString(CultureInfo.InvariantCulture)
            : "";

    /// <summary>PM.shortHex: "0x1234…abcd".</summary>
    private static string ShortHex(string h) => h.Length > 13 ? $"{h[..6]}…{h[^4..]}" : h;

    /// <summary>An amount: the wei in <c>id@value</c>, and PM.formatEth as the text.</summary>
    private static void Amount(IDictionary<string, string> e, string id, JsonNode? wei)
    {
        var raw = Str(wei);
        e[id + "@value"] = raw ?? "";
        e[id] = FormatEth(raw);
    }

    /// <summary>PM.formatEth: ETH with at most 6 decimals, rounded half up, trailing zeros dropped.</summary>
    internal static string FormatEth(string? wei, int decimals = 6)
    {
        if (string.IsNullOrEmpty(wei)) return "—";
        var v = BigInteger.Parse(wei, CultureInfo.InvariantCulture);
        var neg = v.Sign < 0;
        var abs = BigInteger.Abs(v);
        var step = BigInteger.Pow(10, 18 - decimals);
        var scaled = (abs + step / 2) / step;
        if (scaled.IsZero && !abs.IsZero) return $"{(neg ? ">-" : "<")}0.{new string('0', decimals - 1)}1 ETH";
        var unit = BigInteger.Pow(10, decimals);
        var frac = (scaled % unit).ToString(CultureInfo.InvariantCulture).PadLeft(decimals, '0').TrimEnd('0');
        return $"{(neg ? "-" : "")}{scaled / unit}{(frac.Length > 0 ? "." + frac : "")} ETH";
    }

    // ------------------------------------------------------------------ histories and the served host

    private static async Task IndexAsync(IndexerStore store, IEnumerable<SyntheticBlock> blocks, int batch = 200)
    {
        foreach (var chunk in blocks.Chunk(batch))
        {
            var last = chunk[^1].Block;
            await store.ApplyBatchAsync(chunk.Select(b => b.Block).ToList(), chunk.SelectMany(b => b.Events).ToList(),
                new IndexCursor(31337, Market, last.Number, last.Hash, last.Number, last.Timestamp));
        }
    }

    /// <summary>The API and dashboard of a store (serve-only host on a free loopback port), with an HTTP client for the API.</summary>
    public sealed class ServedIndex : IAsyncDisposable
    {
        private ServedIndex(IndexerStore store, WebApplication app, Uri uri)
        {
            Store = store;
            App = app;
            Uri = uri;
            Http = new HttpClient { BaseAddress = uri, Timeout = TimeSpan.FromSeconds(30) };
        }

        public IndexerStore Store { get; }

        public WebApplication App { get; }

        public Uri Uri { get; }

        public HttpClient Http { get; }

        public static async Task<ServedIndex> StartAsync(IndexerStore store)
        {
            var app = IndexerApp.BuildServeOnly(store, "http://127.0.0.1:0");
            await app.StartAsync();
            return new ServedIndex(store, app, IndexerApp.ListeningUri(app));
        }

        public Uri Page(string pathAndQuery) => new(Uri, pathAndQuery);

        public async Task<JsonNode> GetAsync(string path) => JsonNode.Parse(await Http.GetStringAsync(path))!;

        public async ValueTask DisposeAsync()
        {
            Http.Dispose();
            try
            {
                await App.StopAsync();
            }
            finally
            {
                await App.DisposeAsync();
                await Store.Database.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// The shared, read-only histories: a few thousand requests over eleven hours of 12-second blocks (charts with shape),
    /// indexed once per engine on first use and served until the class's tests are done.
    /// </summary>
    public sealed class Histories : IAsyncLifetime
    {
        public static readonly SyntheticOptions Shape = new(Requests: 3250, Provers: 24, Requesters: 40, Circuits: 4, Seed: 11, SecondsPerBlock: 12, RequestsPerBlock: 1);

        private readonly Dictionary<DatabaseKind, Task<ServedIndex>> _served = [];
        private readonly Lock _gate = new();

        public Task<ServedIndex> ServedAsync(DatabaseKind kind)
        {
            lock (_gate)
            {
                if (!_served.TryGetValue(kind, out var served)) _served[kind] = served = StartAsync(kind);
                return served;
            }
        }

        private static async Task<ServedIndex> StartAsync(DatabaseKind kind)
        {
            var clock = Stopwatch.StartNew();
            var store = await TestDatabases.CreateAsync(kind);
            await IndexAsync(store, new SyntheticMarket(Shape).Blocks());
            var served = await ServedIndex.StartAsync(store);
            Console.Error.WriteLine($"[dashboard tests] {kind}: {Shape.Requests} synthetic requests indexed and served in {clock.Elapsed.TotalSeconds:0.0} s at {served.Uri}");
            return served;
        }

        public Task InitializeAsync() => Task.CompletedTask;

        public async Task DisposeAsync()
        {
            foreach (var served in _served.Values)
            {
                if (served.IsCompletedSuccessfully) await served.Result.DisposeAsync();
            }
        }
    }
}
