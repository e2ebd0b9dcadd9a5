using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using ProverMarketChain.ContractBindings.Generator.Model;

namespace ProverMarketChain.ContractBindings.Generator;

/// <summary>The diagnostics the contract-binding generator reports.</summary>
internal static class Diagnostics
{
    private const string Category = "ContractBindings";

    public static readonly DiagnosticDescriptor MalformedArtifact = new DiagnosticDescriptor(
        "PMC0001", "Malformed contract artifact",
        "Contract artifact '{0}' is not valid JSON: {1}; no binding was generated from it",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor UnknownSource = new DiagnosticDescriptor(
        "PMC0002", "Contract artifact without source information",
        "Contract artifact '{0}' has neither metadata.settings.compilationTarget nor ast.absolutePath; it was skipped",
        Category, DiagnosticSeverity.Warning, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor InvalidAbi = new DiagnosticDescriptor(
        "PMC0003", "Contract ABI cannot be bound",
        "Contract artifact '{0}' cannot be bound: {1}",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor DuplicateContract = new DiagnosticDescriptor(
        "PMC0004", "Duplicate contract name",
        "Contract '{1}' from artifact '{0}' has the same name as the one from '{2}'; only the latter is bound",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor ConflictingStruct = new DiagnosticDescriptor(
        "PMC0005", "Conflicting struct definitions",
        "Struct '{1}' in artifact '{0}' has the layout {2} but another artifact defines it as {3}; the first definition is used (rebuild the contracts)",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor NeedsLinking = new DiagnosticDescriptor(
        "PMC0006", "Bytecode needs library linking",
        "Contract '{1}' in artifact '{0}' has unlinked library references; its binding has no DeployAsync",
        Category, DiagnosticSeverity.Info, isEnabledByDefault: true);
}

/// <summary>An equatable description of a diagnostic (pipeline values must not hold Roslyn symbols or locations).</summary>
internal sealed class DiagnosticInfo : IEquatable<DiagnosticInfo>
{
    private DiagnosticInfo(DiagnosticDescriptor descriptor, string filePath, string[] args)
    {
        Descriptor = descriptor;
        FilePath = filePath;
        Args = args;
    }

    public DiagnosticDescriptor Descriptor { get; }

    public string FilePath { get; }

    public string[] Args { get; }

    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, string filePath, params string[] args) =>
        new DiagnosticInfo(descriptor, filePath, args);

    public Diagnostic ToDiagnostic() =>
        Diagnostic.Create(Descriptor, Location.Create(FilePath, default(TextSpan), default(LinePositionSpan)), Args.Cast<object>().ToArray());

    public bool Equals(DiagnosticInfo? other) =>
        other != null && Descriptor.Id == other.Descriptor.Id && FilePath == other.FilePath && Args.SequenceEqual(other.Args);

    public override bool Equals(object? obj) => Equals(obj as DiagnosticInfo);

    public override int GetHashCode() => (Descriptor.Id.GetHashCode() * 31) ^ FilePath.GetHashCode();
}

/// <summary>The outcome of reading one artifact: a contract, a deliberate skip, or a diagnostic. Equatable for caching.</summary>
internal sealed class ArtifactResult : IEquatable<ArtifactResult>
{
    public static readonly ArtifactResult Skip = new ArtifactResult(null, null);

    private ArtifactResult(ContractModel? model, DiagnosticInfo? diagnostic)
    {
        Model = model;
        Diagnostic = diagnostic;
    }

    public ContractModel? Model { get; }

    public DiagnosticInfo? Diagnostic { get; }

    public static ArtifactResult Success(ContractModel model) => new ArtifactResult(model, null);

    public static ArtifactResult Failure(DiagnosticInfo diagnostic) => new ArtifactResult(null, diagnostic);

    public bool Equals(ArtifactResult? other)
    {
        if (other == null)
        {
            return false;
        }

        if (ReferenceEquals(this, other))
        {
            return true;
        }

        return Equals(Model?.Fingerprint, other.Model?.Fingerprint) && Equals(Diagnostic, other.Diagnostic);
    }

    public override bool Equals(object? obj) => Equals(obj as ArtifactResult);

    public override int GetHashCode() => Model?.Fingerprint.GetHashCode() ?? Diagnostic?.GetHashCode() ?? 0;
}
