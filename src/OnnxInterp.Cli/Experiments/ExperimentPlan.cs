using OnnxInterp.Hooks;
using OnnxInterp.Runtime;

namespace OnnxInterp.Cli.Experiments;

/// <summary>
/// A spec checked end to end before anything runs: every step planned against its model, every problem collected and
/// reported together (each naming its field), the device chosen. Nothing is written and no model runs while planning.
/// </summary>
internal sealed partial record ExperimentPlan(ExperimentSpec Spec, string SpecPath, Device Device, IReadOnlyList<PlannedStep> Steps, IReadOnlyDictionary<string, HookedModel> Models)
{
    public static ExperimentPlan Create(ExperimentSpec spec, string specPath, Device? deviceOverride, Action<string> notice)
    {
        var errors = new List<string>();
        var device = deviceOverride ?? Device.Auto;
        if (deviceOverride is null)
        {
            if (Enum.TryParse<Device>(spec.Device, ignoreCase: true, out var parsed) && !int.TryParse(spec.Device, out _)) device = parsed;
            else errors.Add($"device: '{spec.Device}' is not a device; use auto, cpu or cuda.");
        }
        var planner = new SpecPlanner(spec, Path.GetDirectoryName(Path.GetFullPath(specPath))!, notice);
        var steps = new List<PlannedStep>();
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < spec.Steps.Count; i++)
        {
            var field = $"steps[{i}]";
            try
            {
                var step = spec.Steps[i].Plan(planner, field);
                if (!ValidName().IsMatch(step.Name)) throw new SpecException(field + ".name", $"'{step.Name}' cannot name files; use letters, digits, '-' and '_'.");
                if (!names.Add(step.Name))
                    throw new SpecException(field + ".name", $"another step is already named '{step.Name}'; give each step of the same kind its own \"name\" (it prefixes the output files).");
                steps.Add(step);
            }
            catch (SpecException e)
            {
                errors.Add(e.Message);
            }
        }
        if (errors.Count > 0)
            throw new UsageException($"{specPath} cannot run, nothing was run: {string.Join("; ", errors.Select(e => e.TrimEnd('.')))}.");
        return new ExperimentPlan(spec, specPath, device, steps, planner.LoadedModels);
    }

    [System.Text.RegularExpressions.GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9_.-]*$")]
    private static partial System.Text.RegularExpressions.Regex ValidName();
}
