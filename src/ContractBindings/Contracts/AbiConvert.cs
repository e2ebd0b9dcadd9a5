using System.Numerics;
using ProverMarketChain.ContractBindings.Primitives;

namespace ProverMarketChain.ContractBindings.Contracts;

/// <summary>
/// Conversions between typed binding values and the untyped ABI value mapping of <see cref="Abi.AbiCodec"/>
/// (arrays and tuples as <c>object?[]</c>). Used by generated bindings; public so hand-written bindings can use it too.
/// </summary>
public static class AbiConvert
{
    /// <summary>Unwraps a decoded value that must be of type <typeparamref name="T"/>.</summary>
    /// <param name="value">The decoded value.</param>
    /// <param name="what">Names the value in the error message (e.g. <c>Market.getRequest output 0</c>).</param>
    /// <exception cref="InvalidOperationException">The value is null or of another type (a binding/ABI mismatch).</exception>
    public static T As<T>(object? value, string what)
    {
        if (value is T typed)
        {
            return typed;
        }

        throw new InvalidOperationException(
            $"ABI value for {what} is {(value is null ? "null" : value.GetType().Name)}, expected {typeof(T).Name}; the binding does not match the decoded data.");
    }

    /// <summary>Unwraps a decoded tuple with exactly <paramref name="count"/> components.</summary>
    /// <exception cref="InvalidOperationException">The value is not such a tuple.</exception>
    public static object?[] Tuple(object? value, int count, string what)
    {
        var items = As<object?[]>(value, what);
        if (items.Length != count)
        {
            throw new InvalidOperationException($"ABI tuple for {what} has {items.Length} components, expected {count}.");
        }

        return items;
    }

    /// <summary>Converts a typed list into an ABI array, checking a fixed length when one is given.</summary>
    /// <param name="items">The list; must not be null.</param>
    /// <param name="fixedLength">The required length of a <c>T[k]</c> array, or -1 for a dynamic array.</param>
    /// <param name="map">Converts one element.</param>
    /// <param name="name">The parameter's name, for error messages.</param>
    /// <exception cref="ArgumentNullException">The list is null.</exception>
    /// <exception cref="ArgumentException">A fixed-size array has the wrong length.</exception>
    public static object?[] ToAbiArray<T>(IReadOnlyList<T> items, int fixedLength, Func<T, object?> map, string name)
    {
        ArgumentNullException.ThrowIfNull(items, name);
        ArgumentNullException.ThrowIfNull(map);
        if (fixedLength >= 0 && items.Count != fixedLength)
        {
            throw new ArgumentException($"{name} must have exactly {fixedLength} elements; it has {items.Count}.", name);
        }

        var result = new object?[items.Count];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = map(items[i]);
        }

        return result;
    }

    /// <summary>Converts a decoded ABI array into a typed array.</summary>
    /// <exception cref="InvalidOperationException">The value is not an array.</exception>
    public static T[] FromAbiArray<T>(object? value, Func<object?, T> map, string what)
    {
        ArgumentNullException.ThrowIfNull(map);
        var items = As<object?[]>(value, what);
        var result = new T[items.Length];
        for (int i = 0; i < items.Length; i++)
        {
            result[i] = map(items[i]);
        }

        return result;
    }

    /// <summary>Checks that a reference-typed argument is not null and passes it through.</summary>
    /// <exception cref="ArgumentNullException">The value is null.</exception>
    public static T Required<T>(T? value, string name)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(value, name);
        return value;
    }

    /// <summary>Shorthand for unwrapping an unsigned or signed integer.</summary>
    public static BigInteger Integer(object? value, string what) => As<BigInteger>(value, what);

    /// <summary>Shorthand for unwrapping an address.</summary>
    public static Address Address(object? value, string what) => As<Address>(value, what);
}
