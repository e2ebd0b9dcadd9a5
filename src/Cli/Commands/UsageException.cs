namespace ProverMarketChain.Cli.Commands;

/// <summary>
/// A command line that parses but makes no sense (an amount that is not a number, an action without its argument):
/// <see cref="PmcCli"/> prints the message and the command's usage, and exits with <see cref="ExitCodes.Usage"/>.
/// </summary>
/// <param name="message">What is wrong, naming the argument or option.</param>
public sealed class UsageException(string message) : Exception(message);
