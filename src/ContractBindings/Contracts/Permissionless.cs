namespace ProverMarketChain.ContractBindings.Contracts;

/// <summary>Sends a permissionless call (a market's expire, slash, forfeit or lapse; a rollup's sync, finalize or
/// repost) only when a simulation says it would succeed.</summary>
public static class Permissionless
{
    /// <summary>
    /// Runs <paramref name="simulate"/> (an <c>eth_call</c>); when it does not revert, sends the transaction with
    /// <paramref name="send"/>. False when the call would revert now (the request is still live, or already moved on),
    /// or when the transaction reverts all the same (someone else moved the request on in between).
    /// </summary>
    /// <param name="simulate">The <c>eth_call</c>.</param>
    /// <param name="send">The transaction.</param>
    /// <param name="sendReverted">Told why, when the transaction reverts although its simulation passed.</param>
    public static async Task<bool> TryAsync(Func<Task> simulate, Func<Task> send, Action<string>? sendReverted = null)
    {
        try
        {
            await simulate().ConfigureAwait(false);
        }
        catch (ContractRevertException)
        {
            return false;
        }
        try
        {
            await send().ConfigureAwait(false);
            return true;
        }
        catch (ContractRevertException e)
        {
            sendReverted?.Invoke(e.Message);
            return false;
        }
    }
}
