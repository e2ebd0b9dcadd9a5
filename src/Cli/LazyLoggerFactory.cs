using Microsoft.Extensions.Logging;

namespace ProverMarketChain.Cli;

/// <summary>
/// An <see cref="ILoggerFactory"/> that builds the real one (console providers, filters: tens of milliseconds of
/// start-up) only when something is logged at or above <paramref name="minimum"/>, so a quiet <c>pmc prove</c> never
/// pays for it. Loggers handed out before then are forwarding stubs; levels below the minimum are refused without
/// building anything.
/// </summary>
/// <param name="create">Builds the real factory (called at most once).</param>
/// <param name="minimum">The real factory's minimum level.</param>
internal sealed class LazyLoggerFactory(Func<ILoggerFactory> create, LogLevel minimum) : ILoggerFactory
{
    private readonly Lazy<ILoggerFactory> _real = new(create, LazyThreadSafetyMode.ExecutionAndPublication);
    private readonly LogLevel _minimum = minimum;

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) =>
        _real.IsValueCreated ? _real.Value.CreateLogger(categoryName) : new Deferred(this, categoryName);

    /// <inheritdoc />
    public void AddProvider(ILoggerProvider provider) => _real.Value.AddProvider(provider);

    /// <inheritdoc />
    public void Dispose()
    {
        if (_real.IsValueCreated)
        {
            _real.Value.Dispose();
        }
    }

    private sealed class Deferred(LazyLoggerFactory owner, string category) : ILogger
    {
        private ILogger? _logger;

        private ILogger Real => _logger ??= owner._real.Value.CreateLogger(category);

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => Real.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel >= owner._minimum && logLevel != LogLevel.None && Real.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel >= owner._minimum && logLevel != LogLevel.None)
            {
                Real.Log(logLevel, eventId, state, exception, formatter);
            }
        }
    }
}
