namespace ProverMarketChain.ContractBindings.Abi;

/// <summary>ABI-encoded data is malformed: out-of-range offsets or lengths, dirty padding, invalid bool or UTF-8.</summary>
public sealed class AbiDecodingException : Exception
{
    /// <summary>Creates the exception with a message describing what is wrong and where.</summary>
    public AbiDecodingException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the underlying cause.</summary>
    public AbiDecodingException(string message, Exception inner)
        : base(message, inner)
    {
    }
}

/// <summary>A .NET value does not fit the ABI type it is being encoded as (wrong CLR type, out of range, wrong length).</summary>
public sealed class AbiEncodingException : ArgumentException
{
    /// <summary>Creates the exception with a message naming the type and the offending value.</summary>
    public AbiEncodingException(string message)
        : base(message)
    {
    }
}
