using System.Diagnostics;
using ProverMarketChain.Proving.Gpu.Tests.Prover;

namespace ProverMarketChain.Proving.Gpu.Tests;

/// <summary>The committed generated sources are what the generators in tools/gpu emit (edit the generator, not the output).</summary>
public sealed class GeneratedCodeTests
{
    private static string Root => BuiltCircuits.RepoRoot;

    private static (int Exit, string Out, string Err) Python(params string[] args)
    {
        var psi = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        Process p;
        try
        {
            p = Process.Start(psi)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new SkipException("python3 is not installed: the generators cannot be run here");
        }
        using (p)
        {
            var o = p.StandardOutput.ReadToEndAsync();
            var e = p.StandardError.ReadToEndAsync();
            p.WaitForExit();
            return (p.ExitCode, o.Result, e.Result);
        }
    }

    [SkippableFact]
    public void Mont256_isWhatGenMont256Emits()
    {
        var (exit, output, err) = Python(Path.Combine(Root, "tools/gpu/gen_mont256.py"));

        Assert.True(exit == 0, err);
        Assert.Equal(output, File.ReadAllText(Path.Combine(Root, "src/Proving.Gpu/Arithmetic/Mont256.g.cs")));
    }

    [SkippableFact]
    public void FieldAndCurveSources_areWhatTheTemplatesGive()
    {
        string dir = Directory.CreateTempSubdirectory("pmc-gen-").FullName;
        try
        {
            var (exit, _, err) = Python(Path.Combine(Root, "tools/gpu/gen_from_templates.py"), dir);
            Assert.True(exit == 0, err);
            foreach (var file in new[] { "Arithmetic/GpuFq.g.cs", "Arithmetic/GpuFr.g.cs", "Curves/GpuG1.g.cs", "Curves/GpuG2.g.cs" })
            {
                string committed = Path.Combine(Root, "src/Proving.Gpu", file);
                Assert.True(File.ReadAllText(committed) == File.ReadAllText(Path.Combine(dir, "src/Proving.Gpu", file)),
                    $"{committed} differs from tools/gpu/gen_from_templates.py's output: edit the template and rerun it");
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
