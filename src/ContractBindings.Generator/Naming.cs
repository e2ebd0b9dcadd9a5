using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace ProverMarketChain.ContractBindings.Generator;

/// <summary>Turns Solidity identifiers into C# identifiers: PascalCase members, camelCase parameters, keywords escaped.</summary>
internal static class Naming
{
    private static readonly HashSet<string> Keywords = new HashSet<string>(System.StringComparer.Ordinal)
    {
        "abstract", "as", "base", "bool", "break", "byte", "case", "catch", "char", "checked", "class", "const",
        "continue", "decimal", "default", "delegate", "do", "double", "else", "enum", "event", "explicit", "extern",
        "false", "finally", "fixed", "float", "for", "foreach", "goto", "if", "implicit", "in", "int", "interface",
        "internal", "is", "lock", "long", "namespace", "new", "null", "object", "operator", "out", "override", "params",
        "private", "protected", "public", "readonly", "ref", "return", "sbyte", "sealed", "short", "sizeof", "stackalloc",
        "static", "string", "struct", "switch", "this", "throw", "true", "try", "typeof", "uint", "ulong", "unchecked",
        "unsafe", "ushort", "using", "virtual", "void", "volatile", "while",
    };

    /// <summary>PascalCase: leading underscores dropped, '$' mapped to '_', first letter upper-cased.</summary>
    public static string Pascal(string name, string fallback)
    {
        var core = Clean(name);
        if (core.Length == 0)
        {
            core = fallback;
        }

        if (char.IsDigit(core[0]))
        {
            core = "N" + core;
        }

        return char.ToUpperInvariant(core[0]) + core.Substring(1);
    }

    /// <summary>camelCase: leading/trailing underscores dropped, first letter lower-cased, C# keywords escaped with '@'.</summary>
    public static string Camel(string name, string fallback)
    {
        var core = Clean(name);
        if (core.Length == 0)
        {
            core = fallback;
        }

        if (char.IsDigit(core[0]))
        {
            core = "p" + core;
        }

        core = char.ToLowerInvariant(core[0]) + core.Substring(1);
        return Escape(core);
    }

    /// <summary>Escapes a C# keyword with '@'.</summary>
    public static string Escape(string identifier) => Keywords.Contains(identifier) ? "@" + identifier : identifier;

    /// <summary>The identifier without its '@' escape, for comparisons and nameof-like messages.</summary>
    public static string Bare(string identifier) => identifier.StartsWith("@", System.StringComparison.Ordinal) ? identifier.Substring(1) : identifier;

    /// <summary>Returns <paramref name="candidate"/>, or it with a suffix ("Value", then digits) until it is not taken; records it as taken.</summary>
    public static string Unique(string candidate, HashSet<string> taken, string? suffix = "Value")
    {
        var bare = Bare(candidate);
        if (taken.Add(bare))
        {
            return candidate;
        }

        if (suffix != null)
        {
            var withSuffix = bare + suffix;
            if (taken.Add(withSuffix))
            {
                return withSuffix;
            }
        }

        for (var i = 2; ; i++)
        {
            var numbered = bare + i.ToString(CultureInfo.InvariantCulture);
            if (taken.Add(numbered))
            {
                return Escape(numbered);
            }
        }
    }

    private static string Clean(string name)
    {
        var sb = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            sb.Append(c == '$' ? '_' : c);
        }

        return sb.ToString().Trim('_');
    }

    /// <summary>Escapes text for an XML doc comment.</summary>
    public static string Xml(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

    /// <summary>A C# string literal for <paramref name="text"/>.</summary>
    public static string Literal(string text)
    {
        var sb = new StringBuilder(text.Length + 2);
        sb.Append('"');
        foreach (var c in text)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (c < 0x20)
                    {
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        return sb.Append('"').ToString();
    }
}
