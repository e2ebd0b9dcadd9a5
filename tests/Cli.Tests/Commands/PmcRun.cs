using ProverMarketChain.Cli.Commands;

namespace ProverMarketChain.Cli.Tests.Commands;

/// <summary>Runs <see cref="PmcCli"/> in-process with captured streams and a given environment.</summary>
internal static class PmcRun
{
    public sealed record Result(int ExitCode, string Out, string Err);

    public static Result Invoke(IReadOnlyDictionary<string, string?>? environment, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = PmcCli.Run(args, output, error, environment ?? new Dictionary<string, string?>());
        return new Result(code, output.ToString(), error.ToString());
    }

    public static Result Invoke(params string[] args) => Invoke(null, args);
}
