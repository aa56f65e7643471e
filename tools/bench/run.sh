#!/usr/bin/env bash
# Issue #15's benchmark, one command: builds, runs onnxinterp's ONNX Runtime suite and the PyTorch and TorchSharp eager
# baselines on the same model, one after another, then writes BENCHMARKS.md from their result files.
#   tools/bench/run.sh [--quick] [--out DIR] [--model M.onnx] [--threads N] [--report FILE] [--skip ort,pytorch,torchsharp]
# --quick: fewest repetitions everywhere (checks the pipeline and the report's layout; the numbers mean little).
# A baseline whose script or command is missing is skipped and reported as not measured. Exit status: 1 when a tool
# that was present failed (the report is written anyway), else 0. Details: tools/bench/README.md.
set -uo pipefail
cd "$(dirname "$0")/../.."

quick=0; out=out/bench; model=/tmp/bench/gpt2-small-random.onnx; report=BENCHMARKS.md; skip=""
pair=tools/bench/ioi-pair.json
# Every tool gets the same thread count: by default the physical cores, which is what ONNX Runtime's default pool uses.
threads=$(lscpu -p=Core,Socket 2>/dev/null | grep -v '^#' | sort -u | wc -l)
[ "${threads:-0}" -gt 0 ] || threads=$(nproc)
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --out) out=$2; shift ;;
    --model) model=$2; shift ;;
    --threads) threads=$2; shift ;;
    --report) report=$2; shift ;;
    --skip) skip=$2; shift ;;
    *) echo "run.sh: unknown argument $1 (see the header of $0)" >&2; exit 2 ;;
  esac
  shift
done
skipped() { [[ ",$skip," == *",$1,"* ]]; }
mkdir -p "$out"
failed=0
say() { echo "== $*"; }

say "build (Release)"
dotnet build tools/Benchmarks -c Release -v quiet -nologo || exit 1
dotnet build tools/ModelForge -c Release -v quiet -nologo || exit 1
if [ ! -f "$model" ]; then
  say "$model is missing: exporting the random-weight GPT-2 small"
  dotnet run --project tools/ModelForge -c Release --no-build -- export-random-gpt2 --out "$(dirname "$model")" || exit 1
fi

if [ $quick = 1 ]; then ort_reps=(--quick); base_reps=(--reps 2 --sweep-reps 1); else ort_reps=(); base_reps=(); fi
rm -f "$out/ort.json" "$out/pytorch.json" "$out/torchsharp.json"

if skipped ort; then say "onnxinterp-ort: skipped (--skip)"; else
  say "onnxinterp-ort: Benchmarks suite (log $out/ort.log)"
  dotnet tools/Benchmarks/bin/Release/net10.0/Benchmarks.dll suite --model "$model" --pair "$pair" --json "$out/ort.json" \
    --device cpu "${ort_reps[@]}" 2>&1 | tee "$out/ort.log" || failed=1
fi

if skipped pytorch; then say "pytorch-eager: skipped (--skip)"
elif [ ! -f tools/bench/torch_baseline.py ]; then say "pytorch-eager: tools/bench/torch_baseline.py is absent; not measured"
elif ! /usr/bin/python3 -c "import torch" 2>/dev/null; then say "pytorch-eager: Debian's python3-torch is not installed; not measured"
else
  say "pytorch-eager: torch_baseline.py (log $out/pytorch.log)"
  /usr/bin/python3 tools/bench/torch_baseline.py --model "$model" --pair "$pair" --threads "$threads" --json "$out/pytorch.json" \
    "${base_reps[@]}" 2>&1 | tee "$out/pytorch.log" || failed=1
fi

if skipped torchsharp; then say "torchsharp-eager: skipped (--skip)"
elif ! grep -rqs "bench-eager" tools/ModelForge --include=*.cs; then say "torchsharp-eager: ModelForge has no bench-eager command; not measured"
else
  say "torchsharp-eager: ModelForge bench-eager (log $out/torchsharp.log)"
  dotnet tools/ModelForge/bin/Release/net10.0/ModelForge.dll bench-eager --model "$model" --pair "$pair" --threads "$threads" \
    --json "$out/torchsharp.json" "${base_reps[@]}" 2>&1 | tee "$out/torchsharp.log" || failed=1
fi

say "report -> $report"
files=(); for f in "$out"/ort.json "$out"/ort-cuda.json "$out"/pytorch.json "$out"/torchsharp.json; do [ -f "$f" ] && files+=("$f"); done
dotnet tools/Benchmarks/bin/Release/net10.0/Benchmarks.dll report "${files[@]}" -o "$report" --notes tools/bench/notes.md || failed=1
exit $failed
