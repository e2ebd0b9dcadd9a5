using Microsoft.Extensions.Logging;

namespace ProverMarketChain.Worker.Tests.Market;

/// <summary>Collects every worker's log lines in memory so that a failing test can show what the workers did.</summary>
public sealed class TestLog : ILoggerFactory, ILoggerProvider
{
    private readonly List<string> _lines = [];

    /// <summary>A copy of every line so far.</summary>
    public IReadOnlyList<string> Lines
    {
        get { lock (_lines) return _lines.ToList(); }
    }

    public string Tail(int n = 60)
    {
        lock (_lines) return string.Join('\n', _lines.Skip(Math.Max(0, _lines.Count - n)));
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName[(categoryName.LastIndexOf('.') + 1)..]);
    public void AddProvider(ILoggerProvider provider) { }
    public void Dispose() { }

    private sealed class Logger(TestLog owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            lock (owner._lines) owner._lines.Add($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {category}: {formatter(state, exception)}");
        }
    }
}
