namespace ProverMarketChain.Proving.Gpu.Runtime;

/// <summary>Where proofs are computed: the setting behind <c>pmc prove --device</c> and the worker's <c>device</c>.</summary>
public enum ProverDevice
{
    /// <summary>The CPU prover (src/Proving).</summary>
    Cpu,

    /// <summary>The GPU kernels on a real GPU (CUDA, else an OpenCL GPU); an error when there is none.</summary>
    Gpu,

    /// <summary>The GPU kernels on ILGPU's CPU accelerator: slow, for tests and debugging.</summary>
    IlgpuCpu,

    /// <summary>A CUDA GPU when there is one, otherwise the CPU prover.</summary>
    Auto,
}

/// <summary>The names of <see cref="ProverDevice"/> values on the command line and in configuration files.</summary>
public static class ProverDevices
{
    /// <summary>The accepted names, in the order help lists them.</summary>
    public static IReadOnlyList<string> Names { get; } = ["cpu", "gpu", "ilgpu-cpu", "auto"];

    /// <summary>The name of <paramref name="device"/> (<c>ilgpu-cpu</c> for <see cref="ProverDevice.IlgpuCpu"/>).</summary>
    public static string Name(ProverDevice device) => device switch
    {
        ProverDevice.Cpu => "cpu",
        ProverDevice.Gpu => "gpu",
        ProverDevice.IlgpuCpu => "ilgpu-cpu",
        ProverDevice.Auto => "auto",
        _ => throw new ArgumentOutOfRangeException(nameof(device), device, "unknown prover device"),
    };

    /// <summary>Parses a device name (case-insensitive); false for anything else, including null.</summary>
    public static bool TryParse(string? text, out ProverDevice device)
    {
        device = ProverDevice.Cpu;
        if (text is null) return false;
        for (int i = 0; i < Names.Count; i++)
        {
            if (string.Equals(Names[i], text.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                device = (ProverDevice)i;
                return true;
            }
        }
        return false;
    }

    /// <summary>Parses a device name.</summary>
    /// <exception cref="ArgumentException">Not one of <see cref="Names"/>; the message lists them.</exception>
    public static ProverDevice Parse(string? text) =>
        TryParse(text, out var d) ? d : throw new ArgumentException($"device '{text}' is not one of {string.Join(", ", Names)}", nameof(text));
}
