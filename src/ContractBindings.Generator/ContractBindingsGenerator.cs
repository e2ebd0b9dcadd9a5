using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using ProverMarketChain.ContractBindings.Generator.Model;

namespace ProverMarketChain.ContractBindings.Generator;

/// <summary>
/// Generates typed contract bindings from forge artifacts passed as AdditionalFiles
/// (<c>out/&lt;File&gt;.sol/&lt;Contract&gt;.json</c>). Only contracts whose source lies under the source root
/// (MSBuild property <c>ContractBindingsSourceRoot</c>, default <c>contracts/src</c>) are bound; tests, scripts and
/// dependencies are skipped. Output goes to the namespace in <c>ContractBindingsNamespace</c>
/// (default <c>ProverMarketChain.ContractBindings.Contracts</c>).
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class ContractBindingsGenerator : IIncrementalGenerator
{
    /// <summary>The default source root of the contracts to bind.</summary>
    public const string DefaultSourceRoot = "contracts/src";

    /// <summary>The default namespace of the generated bindings.</summary>
    public const string DefaultNamespace = "ProverMarketChain.ContractBindings.Contracts";

    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var settings = context.AnalyzerConfigOptionsProvider.Select(static (provider, _) =>
        {
            provider.GlobalOptions.TryGetValue("build_property.ContractBindingsSourceRoot", out var root);
            provider.GlobalOptions.TryGetValue("build_property.ContractBindingsNamespace", out var ns);
            return new GeneratorSettings(
                string.IsNullOrWhiteSpace(root) ? DefaultSourceRoot : root!.Trim(),
                string.IsNullOrWhiteSpace(ns) ? DefaultNamespace : ns!.Trim());
        });

        var artifacts = context.AdditionalTextsProvider
            .Where(static text => IsCandidate(text.Path))
            .Combine(settings)
            .Select(static (pair, ct) => ArtifactParser.Parse(pair.Left.Path, pair.Left.GetText(ct)?.ToString(), pair.Right.SourceRoot))
            .WithTrackingName("Artifacts");

        var all = artifacts.Collect().Combine(settings).WithTrackingName("Bindings");
        context.RegisterSourceOutput(all, static (spc, pair) => Emit(spc, pair.Left, pair.Right));
    }

    /// <summary>
    /// Whether an additional file may be a contract artifact: a .json file outside <c>build-info</c>, and not in the
    /// output folder of a test (<c>*.t.sol</c>) or script (<c>*.s.sol</c>) source.
    /// </summary>
    internal static bool IsCandidate(string path)
    {
        var p = path.Replace('\\', '/');
        if (!p.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || p.IndexOf("/build-info/", StringComparison.Ordinal) >= 0)
        {
            return false;
        }

        var slash = p.LastIndexOf('/');
        if (slash > 0)
        {
            var dir = p.Substring(0, slash);
            var folder = dir.Substring(dir.LastIndexOf('/') + 1);
            if (folder.EndsWith(".t.sol", StringComparison.Ordinal) || folder.EndsWith(".s.sol", StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    private static void Emit(SourceProductionContext spc, ImmutableArray<ArtifactResult> results, GeneratorSettings settings)
    {
        var diagnostics = new List<DiagnosticInfo>();
        foreach (var r in results)
        {
            if (r.Diagnostic != null)
            {
                diagnostics.Add(r.Diagnostic);
            }
        }

        // One binding per contract name; on a clash the first artifact (by path) wins, deterministically.
        var contracts = new List<ContractModel>();
        foreach (var group in results.Where(r => r.Model != null).Select(r => r.Model!).GroupBy(m => m.Name).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var ordered = group.OrderBy(m => m.ArtifactPath, StringComparer.Ordinal).ToList();
            contracts.Add(ordered[0]);
            foreach (var dup in ordered.Skip(1))
            {
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.DuplicateContract, dup.ArtifactPath, dup.ArtifactPath, dup.Name, ordered[0].ArtifactPath));
            }
        }

        var usable = new List<ContractModel>();
        foreach (var c in contracts)
        {
            if (c.NeedsLinking)
            {
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.NeedsLinking, c.ArtifactPath, c.ArtifactPath, c.Name));
            }

            usable.Add(c);
        }

        var structs = StructRegistry.Build(usable, diagnostics);
        var emitter = new BindingEmitter(new TypeMapper(structs, settings.Namespace), settings.Namespace);
        foreach (var s in structs.All)
        {
            spc.CancellationToken.ThrowIfCancellationRequested();
            spc.AddSource("Struct." + s.CsName + ".g.cs", SourceText.From(emitter.EmitStruct(s), Encoding.UTF8));
        }

        foreach (var c in usable)
        {
            spc.CancellationToken.ThrowIfCancellationRequested();
            spc.AddSource("Contract." + c.Name.Replace('$', '_') + ".g.cs", SourceText.From(emitter.EmitContract(c), Encoding.UTF8));
        }

        foreach (var d in diagnostics)
        {
            spc.ReportDiagnostic(d.ToDiagnostic());
        }
    }

    private sealed class GeneratorSettings : IEquatable<GeneratorSettings>
    {
        public GeneratorSettings(string sourceRoot, string ns)
        {
            SourceRoot = sourceRoot;
            Namespace = ns;
        }

        public string SourceRoot { get; }

        public string Namespace { get; }

        public bool Equals(GeneratorSettings? other) => other != null && other.SourceRoot == SourceRoot && other.Namespace == Namespace;

        public override bool Equals(object? obj) => Equals(obj as GeneratorSettings);

        public override int GetHashCode() => (SourceRoot.GetHashCode() * 397) ^ Namespace.GetHashCode();
    }
}
