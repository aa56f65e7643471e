namespace OnnxInterp.Cli;

/// <summary>An example command line per verb, shown at the end of its --help; each runs as written from the repository root.</summary>
public static class VerbExamples
{
    public static IReadOnlyDictionary<string, string[]> ByVerb { get; } = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["onnxinterp"] = ["onnxinterp demo", "onnxinterp inspect onnx-models/tiny-gpt2.onnx", "onnxinterp help patch"],
        ["inspect"] = ["onnxinterp inspect onnx-models/attn-only-2l.onnx"],
        ["run"] = ["onnxinterp run onnx-models/tiny-gpt2.onnx --prompt \"When Mary and John went to the store, John gave a drink to\""],
        ["cache"] = ["onnxinterp cache onnx-models/attn-only-2l.onnx --tokens 0,5,9,5,9 --expose 'blocks.*.attn.hook_pattern' -o acts.safetensors"],
        ["rewrite"] = ["onnxinterp rewrite onnx-models/attn-only-2l.onnx --patch 'blocks.1.hook_resid_pre:rows' --expose 'blocks.*.attn.hook_z' -o hooked.onnx"],
        ["patch"] = ["onnxinterp patch onnx-models/tiny-gpt2.onnx --ioi 8 --sweep every-block -o ioi"],
        ["path-patch"] = ["onnxinterp path-patch onnx-models/tiny-gpt2.onnx --ioi 4 --senders heads,mlps --receivers logits,mlp3 -o out/paths"],
        ["discover"] = ["onnxinterp discover onnx-models/tiny-gpt2.onnx --ioi 4 --threshold 0.02 -o out/circuit"],
        ["scrub"] = ["onnxinterp scrub onnx-models/attn-only-2l.onnx --hypothesis docs/examples/induction.hypothesis.json --dataset docs/examples/repeats.jsonl"],
        ["circuits"] = ["onnxinterp circuits onnx-models/attn-only-2l.onnx --composition -o out/circuits"],
        ["generate"] = ["onnxinterp generate onnx-models/tiny-gpt2-past.onnx --prompt \"When Mary and John went to the store, John gave a drink to\" --max-new-tokens 6"],
        ["steer-vector"] = ["onnxinterp steer-vector onnx-models/tiny-gpt2.onnx --hook blocks.1.hook_resid_pre --positive data/mary.txt --negative data/john.txt -o out/mary-john.safetensors"],
        ["ablate"] = ["onnxinterp ablate onnx-models/attn-only-2l.onnx --repeated 16 --heads"],
        ["lens"] = ["onnxinterp lens onnx-models/tiny-gpt2.onnx --prompt \"When Mary and John went to the store, John gave a drink to\" --answer \" Mary\""],
        ["attribute"] = ["onnxinterp attribute onnx-models/tiny-gpt2.onnx --ioi 8"],
        ["heads"] = ["onnxinterp heads onnx-models/attn-only-2l.onnx -o out --html out/patterns.html"],
        ["maxact"] = ["onnxinterp maxact onnx-models/tiny-gpt2.onnx --data data/lines.txt --neuron blocks.2.mlp.hook_post:17 --top-k 10"],
        ["fourier"] = ["onnxinterp fourier onnx-models/modadd-p113.onnx"],
        ["experiment"] = ["onnxinterp experiment docs/examples/ioi.experiment.json -o out/ioi", "onnxinterp experiment docs/examples/ioi.experiment.json -o out/shard-0 --shard 0/2"],
        ["merge"] = ["onnxinterp merge out/shard-0 out/shard-1 -o out/ioi"],
        ["demo"] = ["onnxinterp demo -o out/demo"],
        ["help"] = ["onnxinterp help maxact"],
        ["version"] = ["onnxinterp version"],
    };
}
