using System.CommandLine;
using ProverMarketChain.Cli.Hosting;

namespace ProverMarketChain.Cli.Commands;

/// <summary>The <c>--config</c> and <c>--set</c> options of the commands that read a worker's configuration.</summary>
internal sealed class WorkerSettingsOptions
{
    /// <summary>Creates both options and adds them to <paramref name="command"/>.</summary>
    public WorkerSettingsOptions(Command command)
    {
        Set.Validators.Add(r =>
        {
            foreach (var token in r.Tokens)
            {
                try
                {
                    WorkerConfiguration.ParseOverride(token.Value);
                }
                catch (FormatException e)
                {
                    r.AddError($"--set: {e.Message}");
                }
            }
        });
        command.Options.Add(Config);
        command.Options.Add(Set);
    }

    /// <summary><c>--config &lt;worker.json&gt;</c>, required.</summary>
    public Option<string> Config { get; } = new("--config")
    {
        Description = "The worker's JSON configuration file (relative paths in it are relative to its folder)",
        HelpName = "worker.json",
        Required = true,
    };

    /// <summary><c>--set SETTING=VALUE</c>, repeatable.</summary>
    public Option<string[]> Set { get; } = new("--set")
    {
        Description = "Override a setting of the file: SETTING=VALUE, nested settings joined with ':' (capacity=2, "
            + "costModel:marginBps=500, circuits:0:circuitId=1); repeatable; wins over the file and PMC_Worker__* variables",
        HelpName = "setting=value",
        AllowMultipleArgumentsPerToken = false,
    };

    /// <summary>The settings' sources for <paramref name="parseResult"/>.</summary>
    public WorkerSettingsSources Sources(ParseResult parseResult, CliIo io) =>
        new(parseResult.GetRequiredValue(Config), parseResult.GetValue(Set) ?? [], io.Environment);
}
