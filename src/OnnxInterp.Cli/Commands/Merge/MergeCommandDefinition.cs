using System.CommandLine;

namespace OnnxInterp.Cli.Commands.Merge;

/// <summary><c>onnxinterp merge SHARD_DIR... -o OUTDIR</c>: the results of every shard of an experiment as one run's folder.</summary>
public sealed class MergeCommandDefinition : Command
{
    public Argument<string[]> Shards { get; } = new("SHARD_DIR") { Description = "The -o folders of `onnxinterp experiment SPEC --shard K/N`, one per shard (any order).", Arity = ArgumentArity.OneOrMore };
    public Option<string> Output { get; } = new("--output", "-o") { Description = "Folder for the merged results.json, CSVs, PNGs and report.html.", HelpName = "DIR", Required = true };

    public MergeCommandDefinition(CliConsole console)
        : base("merge", "Combine the output folders of all shards of one experiment (run with --shard K/N, e.g. as a Slurm job array or a Kubernetes Indexed Job) into exactly what one run writes.")
    {
        Arguments.Add(Shards);
        Options.Add(Output);
        SetAction(parse => new MergeCommand(this, parse, console).Execute());
    }
}
