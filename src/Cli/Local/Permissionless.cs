using ProverMarketChain.ContractBindings.Abi;

namespace ProverMarketChain.Cli.Local;

/// <summary>Sends a permissionless market call (expire, slash, forfeit, lapse) only when a simulation says it would succeed.</summary>
public static class Permissionless
{
    /// <summary>
    /// Runs <paramref name="simulate"/> (an <c>eth_call</c>); when it does not revert, sends the transaction with
    /// <paramref name="send"/>. False when the call would revert now (the request is still live, or already moved on).
    /// </summary>
    public static async Task<bool> TryAsync(Func<Task> simulate, Func<Task> send)
    {
        try
        {
            await simulate().ConfigureAwait(false);
        }
        catch (ContractRevertException)
        {
            return false;
        }
        await send().ConfigureAwait(false);
        return true;
    }
}
