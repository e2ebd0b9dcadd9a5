using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using ProverMarketChain.ContractBindings.Contracts;
using ProverMarketChain.ContractBindings.Rpc;
using ProverMarketChain.Proving.Formats;
using ProverMarketChain.Proving.Gpu.Runtime;
using ProverMarketChain.Proving.Groth16;
using ProverMarketChain.Worker.Configuration;

namespace ProverMarketChain.Cli.Commands;

/// <summary>
/// The <c>pmc</c> command line: the System.CommandLine tree of every command, and the mapping of its outcomes to exit
/// codes (<see cref="ExitCodes"/>): a parse error or <see cref="UsageException"/> prints the problem and the command's
/// usage (2); the library exceptions that mean "this operation failed" print one line (1); anything else is a bug and
/// propagates with its stack trace. New subcommands are added in <see cref="CreateRootCommand"/>.
/// </summary>
public static class PmcCli
{
    private static readonly ParserConfiguration Parser = new()
    {
        // `@file` arguments are paths, not response files.
        ResponseFileTokenReplacer = null,
    };

    /// <summary>The root command with every built-in command.</summary>
    /// <param name="io">The streams, environment and global options the commands share.</param>
    public static RootCommand CreateRootCommand(CliIo io)
    {
        var root = new RootCommand("pmc: Groth16 proving (snarkjs-compatible), the prover market's worker, demo, soak and benchmarks.");
        root.Options.Add(io.Verbose);
        var help = root.Options.OfType<HelpOption>().Single();
        help.Action = new EpilogHelpAction((HelpAction)help.Action!);
        foreach (var command in new PmcCommand[]
                 {
                     new ProveCommand(io), new VerifyCommand(io), new SetupCommand(io), new ExportCommand(io), new WitnessCommand(io),
                     new BenchCommand(io), new BenchClientCommand(io), new WorkerCommand(io), new CollateralCommand(io),
                     new DemoCommand(io), new SoakCommand(io), new IndexerCommand(io), new BenchIndexerCommand(io), new SimulateCommand(io),
                 })
        {
            root.Subcommands.Add(command);
        }

        root.Subcommands.Add(new HelpCommand(root, io));
        return root;
    }

    /// <summary>The global <c>-v/--verbose</c> option (one instance per root command).</summary>
    public static Option<bool> CreateVerboseOption() => new("--verbose", "-v")
    {
        Description = "Log at Debug level (default: Warning; the worker logs at Information)",
        Recursive = true,
    };

    /// <summary>Parses and runs a command line; returns the process exit code.</summary>
    /// <param name="args">The arguments after the program name.</param>
    /// <param name="output">Standard output.</param>
    /// <param name="error">Standard error.</param>
    /// <param name="environment">The environment variables (default: the process's).</param>
    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var io = new CliIo(output, error, environment ?? WorkerOptions.ProcessEnvironment(), CreateVerboseOption());
        var root = CreateRootCommand(io);
        var parse = root.Parse(args, Parser);
        if (parse.Action is ParseErrorAction)
        {
            var path = CommandPath(parse.CommandResult);
            foreach (var message in parse.Errors.Select(e => e.Message).Distinct()) error.WriteLine($"{path}: {message}");
            WriteUsage(parse.CommandResult.Command, path, error);
            return ExitCodes.Usage;
        }

        try
        {
            return parse.Invoke(new InvocationConfiguration
            {
                Output = output,
                Error = error,
                // Exceptions are mapped below; the worker's host and the demo and soak handle SIGINT/SIGTERM themselves.
                EnableDefaultExceptionHandler = false,
                ProcessTerminationTimeout = null,
            });
        }
        catch (UsageException e)
        {
            var path = CommandPath(parse.CommandResult);
            error.WriteLine($"{path}: {e.Message}");
            WriteUsage(parse.CommandResult.Command, path, error);
            return ExitCodes.Usage;
        }
        catch (Exception e) when (e is ProvingFormatException or Groth16Exception or GpuUnavailableException or IOException or UnauthorizedAccessException
            or WorkerConfigurationException or KeystoreException or JsonRpcException or ContractRevertException)
        {
            error.WriteLine($"{CommandPath(parse.CommandResult)}: error: {e.Message}");
            return ExitCodes.Failure;
        }
    }

    /// <summary>The usage line of <paramref name="command"/>, e.g. <c>pmc prove &lt;circuit.zkey&gt; ... [options]</c>.</summary>
    public static string Usage(Command command, string path)
    {
        var parts = new List<string> { path };
        foreach (var a in command.Arguments.Where(a => !a.Hidden))
        {
            string label = $"<{a.Name}>" + (a.Arity.MaximumNumberOfValues > 1 ? "..." : "");
            parts.Add(a.Arity.MinimumNumberOfValues == 0 ? $"[{label}]" : label);
        }

        if (command.Subcommands.Count > 0) parts.Add(command.Action is null ? "<command>" : "[command]");
        if (command.Options.Any(o => !o.Hidden)) parts.Add("[options]");
        return string.Join(' ', parts);
    }

    private static void WriteUsage(Command command, string path, TextWriter error)
    {
        error.WriteLine($"usage: {Usage(command, path)}");
        error.WriteLine($"Run '{path} --help' for more information.");
    }

    /// <summary>"pmc worker status" for the parse result of <c>pmc worker status ...</c>.</summary>
    private static string CommandPath(CommandResult result)
    {
        var names = new List<string>();
        for (SymbolResult? r = result; r is not null; r = r.Parent)
        {
            if (r is CommandResult c) names.Add(c.Command is RootCommand ? "pmc" : c.Command.Name);
        }

        names.Reverse();
        return string.Join(' ', names);
    }

    /// <summary>The generated help, then the exit codes (root) or the command's <see cref="PmcCommand.HelpEpilog"/>.</summary>
    private sealed class EpilogHelpAction(HelpAction inner) : SynchronousCommandLineAction
    {
        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult)
        {
            int code = inner.Invoke(parseResult);
            var epilog = parseResult.CommandResult.Command switch
            {
                RootCommand => ExitCodes.HelpText,
                PmcCommand c => c.HelpEpilog,
                _ => null,
            };
            if (epilog is not null)
            {
                var output = parseResult.InvocationConfiguration.Output;
                output.WriteLine(epilog);
                output.WriteLine();
            }

            return code;
        }
    }
}
