using Microsoft.Extensions.Options;
using ProverMarketChain.Worker.Configuration;

namespace ProverMarketChain.Cli.Hosting;

/// <summary>
/// Validates <see cref="WorkerOptions"/> when the worker's host starts (<c>ValidateOnStart</c>), with the checks of
/// <see cref="WorkerOptions.Validate"/>: every problem is reported, each naming its setting (<c>capacity: 0 is outside 1..256</c>).
/// </summary>
/// <param name="environment">Where the secrets (<c>PMC_PRIVATE_KEY</c>, <c>PMC_KEYSTORE_PASSWORD</c>) are looked for.</param>
public sealed class WorkerOptionsValidator(IReadOnlyDictionary<string, string?> environment) : IValidateOptions<WorkerOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, WorkerOptions options)
    {
        var errors = options.Validate(environment);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
