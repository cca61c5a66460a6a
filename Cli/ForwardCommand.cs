using System.CommandLine;
using Sure.Models;

namespace Sure.Cli;

/// <summary>`sure forward`: SPEC 4's forward on a batch from files, for checking against other implementations.</summary>
static class ForwardCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "weights (safetensors, with a \"config\" metadata entry)", Required = true };
        var input = new Option<string>("--input") { Description = "S, nbr, edges, x, y, k1, k2 (safetensors, SPEC 8)", Required = true };
        var output = new Option<string>("--out") { Description = "where to write mu, sigma, omega, anchors, neighbors, h_g, action_mean", Required = true };
        var grad = new Option<bool>("--grad") { Description = "also write grad.<param> = d sum(action_mean) / d param" };
        var useDouble = new Option<bool>("--double") { Description = "compute in double and write F64 values (default: float, F32)" };
        var device = new Option<string>("--device")
        {
            Description = "cpu (the exact tape path, default), or a device backend: opencl, cuda, ilgpu-cpu, ilgpu-cuda, ilgpu-opencl (the decision's kernels, float, no --grad or --double)",
            DefaultValueFactory = _ => "cpu",
        };
        var command = new Command("forward", "Run the SURE model's forward on a batch of tasks from a file") { model, input, output, grad, useDouble, device };
        // Errors go to the top-level handler (Errors), which prints them as ForwardFiles.Execute does, or with the stack.
        command.SetAction(parseResult => ForwardFiles.Write(
            parseResult.GetValue(model)!, parseResult.GetValue(input)!, parseResult.GetValue(output)!,
            parseResult.GetValue(grad), parseResult.GetValue(useDouble), parseResult.GetValue(device)!));
        return command;
    }
}
