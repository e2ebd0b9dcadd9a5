using ProverMarketChain.Proving.Formats;
using ProverMarketChain.Proving.Groth16;

namespace ProverMarketChain.Cli.Commands;

/// <summary>
/// Maps subcommand names to <see cref="ICommand"/>s and turns library exceptions into one-line errors with a non-zero
/// exit code (1 = the operation failed, 2 = bad command line). New subcommands are added in <see cref="CreateDefault"/>.
/// </summary>
public sealed class CommandRegistry
{
    private readonly Dictionary<string, ICommand> _commands = new(StringComparer.Ordinal);

    /// <summary>All registered commands in registration order.</summary>
    public IReadOnlyCollection<ICommand> Commands => _commands.Values;

    /// <summary>The registry with every built-in command.</summary>
    public static CommandRegistry CreateDefault()
    {
        var r = new CommandRegistry();
        r.Add(new ProveCommand());
        r.Add(new VerifyCommand());
        r.Add(new SetupCommand());
        r.Add(new ExportCommand());
        r.Add(new WitnessCommand());
        r.Add(new BenchCommand());
        r.Add(new BenchClientCommand());
        r.Add(new WorkerCommand());
        r.Add(new CollateralCommand());
        r.Add(new DemoCommand());
        r.Add(new SoakCommand());
        return r;
    }

    /// <summary>Registers a command.</summary>
    /// <exception cref="InvalidOperationException">The name is taken.</exception>
    public void Add(ICommand command)
    {
        if (!_commands.TryAdd(command.Name, command)) throw new InvalidOperationException($"command '{command.Name}' is already registered");
    }

    /// <summary>Runs the command named by <c>args[0]</c>.</summary>
    public int Run(string[] args, CommandContext ctx)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            PrintHelp(ctx.Err);
            return args.Length == 0 ? 2 : 0;
        }

        if (!_commands.TryGetValue(args[0], out var cmd))
        {
            ctx.Err.WriteLine($"pmc: unknown command '{args[0]}'");
            PrintHelp(ctx.Err);
            return 2;
        }

        try
        {
            return cmd.Run(args.Skip(1).ToArray(), ctx);
        }
        catch (UsageException e)
        {
            ctx.Err.WriteLine($"pmc {cmd.Name}: {e.Message}");
            ctx.Err.WriteLine($"usage: pmc {cmd.Usage}");
            return 2;
        }
        catch (ProvingFormatException e)
        {
            ctx.Err.WriteLine($"pmc {cmd.Name}: error: {e.Message}");
            return 1;
        }
        catch (Groth16Exception e)
        {
            ctx.Err.WriteLine($"pmc {cmd.Name}: error: {e.Message}");
            return 1;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException
            or ProverMarketChain.Worker.Configuration.WorkerConfigurationException
            or ProverMarketChain.Worker.Configuration.KeystoreException
            or ProverMarketChain.ContractBindings.Rpc.JsonRpcException
            or ProverMarketChain.ContractBindings.Contracts.ContractRevertException)
        {
            ctx.Err.WriteLine($"pmc {cmd.Name}: error: {e.Message}");
            return 1;
        }
    }

    private void PrintHelp(TextWriter w)
    {
        w.WriteLine("usage: pmc <command> [args] [-v|--verbose]");
        foreach (var c in _commands.Values) w.WriteLine($"  {c.Usage,-72} {c.Summary}");
    }
}
