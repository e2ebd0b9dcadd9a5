using System.Text;

namespace ProverMarketChain.ContractBindings.Generator;

/// <summary>A minimal indenting source writer.</summary>
internal sealed class CodeWriter
{
    private readonly StringBuilder _sb = new StringBuilder();
    private int _indent;

    public CodeWriter Line(string text = "")
    {
        if (text.Length > 0)
        {
            _sb.Append(' ', _indent * 4);
        }

        _sb.Append(text).Append('\n');
        return this;
    }

    public CodeWriter Open(string header)
    {
        if (header.Length > 0)
        {
            Line(header);
        }

        Line("{");
        _indent++;
        return this;
    }

    public CodeWriter Close(string suffix = "")
    {
        _indent--;
        Line("}" + suffix);
        return this;
    }

    /// <summary>Writes a summary (and remarks when <paramref name="remarks"/> is set); text is XML-escaped by the caller.</summary>
    public CodeWriter Doc(string summary, string? remarks = null)
    {
        Line("/// <summary>" + summary + "</summary>");
        if (!string.IsNullOrWhiteSpace(remarks))
        {
            Line("/// <remarks>");
            foreach (var raw in remarks!.Replace("\r", string.Empty).Split('\n'))
            {
                Line("/// " + Naming.Xml(raw.Trim()));
            }

            Line("/// </remarks>");
        }

        return this;
    }

    public override string ToString() => _sb.ToString();
}
