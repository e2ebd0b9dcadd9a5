using System.Text.Json.Nodes;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;

namespace ProverMarketChain.Indexer.Tests.Dashboard;

/// <summary>
/// A headless Chromium driven by Selenium through the Debian chromedriver (never Selenium Manager: the tests run without
/// the internet), with the browser log kept, and the DevTools commands the dashboard tests use: the emulated colour
/// scheme, a phone's viewport, full-page screenshots. Missing Chromium fails (it is installed by `make setup`).
/// </summary>
public sealed class HeadlessChromium : IDisposable
{
    /// <summary>Debian's Chromium.</summary>
    public const string ChromiumPath = "/usr/bin/chromium";

    /// <summary>Debian's chromedriver (same version as <see cref="ChromiumPath"/>).</summary>
    public const string ChromeDriverPath = "/usr/bin/chromedriver";

    /// <summary>How long a wait for the page waits.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly ChromeDriverService _service;
    private string _scheme = "light";

    private HeadlessChromium(ChromeDriverService service, ChromeDriver driver)
    {
        _service = service;
        Driver = driver;
    }

    /// <summary>The driver.</summary>
    public ChromeDriver Driver { get; }

    /// <summary>
    /// Starts Chromium with a desktop window of <paramref name="width"/> x <paramref name="height"/>, light colour scheme
    /// and reduced motion (charts draw without animation, so a screenshot never catches one half-way).
    /// </summary>
    public static HeadlessChromium Start(int width = 1440, int height = 1000)
    {
        var missing = new[] { ChromiumPath, ChromeDriverPath }.Where(p => !File.Exists(p)).ToList();
        if (missing.Count > 0)
            Assert.Fail($"Chromium is not installed (missing {string.Join(" and ", missing)}): run `make setup`, which installs chromium and chromedriver from Debian. The dashboard's browser tests need them.");

        var options = new ChromeOptions { BinaryLocation = ChromiumPath };
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", $"--window-size={width},{height}",
            "--lang=en-US", "--hide-scrollbars", "--force-device-scale-factor=1", "--disable-extensions", "--no-first-run", "--no-default-browser-check");
        options.SetLoggingPreference(LogType.Browser, LogLevel.All);
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(ChromeDriverPath)!, Path.GetFileName(ChromeDriverPath));
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        ChromeDriver driver;
        try
        {
            driver = new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
        }
        catch
        {
            service.Dispose();
            throw;
        }
        var browser = new HeadlessChromium(service, driver);
        driver.Manage().Timeouts().PageLoad = TimeSpan.FromSeconds(60);
        driver.Manage().Timeouts().AsynchronousJavaScript = Timeout;
        browser.EmulateColourScheme("light");
        return browser;
    }

    /// <summary>Opens <paramref name="url"/>.</summary>
    public void Open(Uri url) => Driver.Navigate().GoToUrl(url);

    /// <summary>Runs a script and returns its value.</summary>
    public object? Js(string script, params object[] args) => Driver.ExecuteScript(script, args);

    /// <summary>Runs a script that returns JSON text and parses it.</summary>
    public JsonNode? JsJson(string script, params object[] args) => Js(script, args) is string s ? JsonNode.Parse(s) : null;

    /// <summary>Waits (up to <see cref="Timeout"/>) until <paramref name="condition"/> holds; the failure says what was awaited and the last state seen.</summary>
    public void WaitUntil(Func<bool> condition, string what, Func<string>? lastState = null)
    {
        var wait = new WebDriverWait(Driver, Timeout) { PollingInterval = TimeSpan.FromMilliseconds(100) };
        wait.IgnoreExceptionTypes(typeof(StaleElementReferenceException), typeof(NoSuchElementException));
        try
        {
            wait.Until(_ => condition());
        }
        catch (WebDriverTimeoutException)
        {
            Assert.Fail($"timed out after {Timeout.TotalSeconds:0} s waiting until {what}" + (lastState is null ? "" : $"; last seen:\n{lastState()}"));
        }
    }

    /// <summary>Waits until the browser has painted twice more (after a theme or size change, charts redraw in an animation frame).</summary>
    public void WaitForPaint() =>
        Driver.ExecuteAsyncScript("const done = arguments[arguments.length - 1]; requestAnimationFrame(() => requestAnimationFrame(() => done(true)));");

    /// <summary>Emulates the system's colour scheme (<c>prefers-color-scheme</c>) through the DevTools protocol; the open page follows at once.</summary>
    public void EmulateColourScheme(string scheme)
    {
        _scheme = scheme;
        Driver.ExecuteCdpCommand("Emulation.setEmulatedMedia", new Dictionary<string, object?>
        {
            ["media"] = "",
            ["features"] = new object[]
            {
                new Dictionary<string, object?> { ["name"] = "prefers-color-scheme", ["value"] = scheme },
                new Dictionary<string, object?> { ["name"] = "prefers-reduced-motion", ["value"] = "reduce" },
            },
        });
    }

    /// <summary>The colour scheme last emulated.</summary>
    public string Scheme => _scheme;

    /// <summary>Emulates a phone's viewport (<paramref name="width"/> CSS pixels, touch, the page's viewport meta honoured).</summary>
    public void EmulatePhone(int width = 375, int height = 812, double scale = 2) =>
        Driver.ExecuteCdpCommand("Emulation.setDeviceMetricsOverride", new Dictionary<string, object?>
        {
            ["width"] = width, ["height"] = height, ["deviceScaleFactor"] = scale, ["mobile"] = true,
        });

    /// <summary>Ends any viewport emulation (back to the desktop window).</summary>
    public void ClearDeviceEmulation() => Driver.ExecuteCdpCommand("Emulation.clearDeviceMetricsOverride", new Dictionary<string, object?>());

    /// <summary>A PNG of the whole page (beyond the viewport; its top <paramref name="maxHeight"/> CSS pixels when given) written to <paramref name="path"/>.</summary>
    public void SaveFullPageScreenshot(string path, int? maxHeight = null)
    {
        WaitForPaint();
        var size = JsJson("return JSON.stringify({ w: document.documentElement.scrollWidth, h: document.documentElement.scrollHeight });")!;
        var shot = (IDictionary<string, object?>)Driver.ExecuteCdpCommand("Page.captureScreenshot", new Dictionary<string, object?>
        {
            ["format"] = "png",
            ["captureBeyondViewport"] = true,
            ["clip"] = new Dictionary<string, object?> { ["x"] = 0, ["y"] = 0, ["width"] = (int)size["w"]!, ["height"] = Math.Min((int)size["h"]!, maxHeight ?? int.MaxValue), ["scale"] = 1 },
        })!;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllBytes(path, Convert.FromBase64String((string)shot["data"]!));
    }

    /// <summary>
    /// The browser log's SEVERE entries since the last call (JS exceptions, console.error, failed loads), less those
    /// matching <paramref name="expected"/>.
    /// </summary>
    public IReadOnlyList<string> SevereLogEntries(params string[] expected) =>
        Driver.Manage().Logs.GetLog(LogType.Browser)
            .Where(e => e.Level == LogLevel.Severe && !expected.Any(x => e.Message.Contains(x, StringComparison.Ordinal)))
            .Select(e => $"{e.Timestamp:HH:mm:ss.fff} {e.Message}")
            .ToList();

    /// <summary>Fails when the browser logged a SEVERE entry (other than <paramref name="expected"/>).</summary>
    public void AssertNoJsErrors(params string[] expected)
    {
        var severe = SevereLogEntries(expected);
        Assert.True(severe.Count == 0, "the browser logged errors:\n" + string.Join("\n", severe));
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        try
        {
            Driver.Quit();
        }
        finally
        {
            Driver.Dispose();
            _service.Dispose();
        }
    }
}
