using System.CommandLine;

namespace ProverMarketChain.Cli.Commands;

/// <summary>What every command of one <see cref="PmcCli"/> shares: its output streams, its environment and the global
/// <c>--verbose</c> option.</summary>
/// <param name="Out">Standard output (results, help).</param>
/// <param name="Err">Standard error (diagnostics, errors).</param>
/// <param name="Environment">The environment variables the worker's configuration and secrets are read from.</param>
/// <param name="Verbose">The global <c>-v/--verbose</c> option.</param>
public sealed record CliIo(TextWriter Out, TextWriter Err, IReadOnlyDictionary<string, string?> Environment, Option<bool> Verbose);
