namespace ProverMarketChain.Cli.Commands;

/// <summary>Minimal positional/option argument parsing shared by the commands.</summary>
internal sealed class Args
{
    private readonly List<string> _positional = new();
    private readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);

    /// <summary>Parses <paramref name="args"/>; <paramref name="valued"/> lists options that take a value, <paramref name="flags"/> those that do not.</summary>
    public Args(IReadOnlyList<string> args, string[] valued, string[] flags)
    {
        for (int i = 0; i < args.Count; i++)
        {
            string a = args[i];
            if (a.StartsWith("--", StringComparison.Ordinal) && a.Length > 2)
            {
                string name = a, value = "";
                int eq = a.IndexOf('=');
                if (eq > 0)
                {
                    name = a[..eq];
                    value = a[(eq + 1)..];
                }

                if (valued.Contains(name))
                {
                    if (eq < 0)
                    {
                        if (i + 1 >= args.Count) throw new UsageException($"option {name} needs a value");
                        value = args[++i];
                    }

                    _options[name] = value;
                }
                else if (flags.Contains(name) && eq < 0)
                {
                    _options[name] = null;
                }
                else
                {
                    throw new UsageException($"unknown option '{a}'");
                }
            }
            else
            {
                _positional.Add(a);
            }
        }
    }

    public IReadOnlyList<string> Positional => _positional;

    public string? Option(string name) => _options.TryGetValue(name, out var v) ? v : null;

    public bool Flag(string name) => _options.ContainsKey(name);

    public void ExpectPositional(int count)
    {
        if (_positional.Count != count)
            throw new UsageException($"expected {count} arguments, got {_positional.Count}");
    }
}
