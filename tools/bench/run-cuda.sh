#!/usr/bin/env bash
# onnxinterp's ONNX Runtime suite on a GPU (--device cuda), one command, from a self-contained publish, writing the same
# result format as tools/bench/run.sh (default out/bench/ort-cuda.json; run.sh's report picks that file up too).
#   tools/bench/run-cuda.sh [--publish DIR] [--out DIR] [--model M.onnx] [--quick] [--only ids]
# --publish DIR: a folder made beforehand with
#     dotnet publish tools/Benchmarks -c Release -r linux-x64 --self-contained -o DIR
# (on any linux-x64 machine with the .NET 10 SDK and NuGet access; then copy DIR, the repository's tools/bench,
# docs/examples and onnx-models, and the model to the GPU machine). Without --publish the script makes that publish
# itself into out/bench-publish, which needs the SDK and NuGet on this machine.
# The GPU machine needs what ONNX Runtime 1.31's CUDA provider loads (docs/gpu.md): an NVIDIA driver for CUDA 13, the
# CUDA 13 runtime, cuBLAS/cuBLASLt, cuFFT, cuRAND, and cuDNN 9 for CUDA 13, on the library path (LD_LIBRARY_PATH).
# It needs no .NET install. --device cuda never falls back to the CPU: a missing library fails with ORT's message.
set -uo pipefail
cd "$(dirname "$0")/../.."

publish=""; out=out/bench; model=/tmp/bench/gpt2-small-random.onnx; extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --publish) publish=$2; shift ;;
    --out) out=$2; shift ;;
    --model) model=$2; shift ;;
    --quick) extra+=(--quick) ;;
    --only) extra+=(--only "$2"); shift ;;
    *) echo "run-cuda.sh: unknown argument $1 (see the header of $0)" >&2; exit 2 ;;
  esac
  shift
done
mkdir -p "$out"
if [ -z "$publish" ]; then
  publish=out/bench-publish
  echo "== publishing tools/Benchmarks self-contained to $publish"
  dotnet publish tools/Benchmarks -c Release -r linux-x64 --self-contained -o "$publish" -v quiet -nologo || exit 1
fi
[ -x "$publish/Benchmarks" ] || { echo "run-cuda.sh: no $publish/Benchmarks; make the publish (see the header of $0)" >&2; exit 1; }
[ -f "$model" ] || { echo "run-cuda.sh: $model is missing (make it with: dotnet run --project tools/ModelForge -c Release -- export-random-gpt2 --out $(dirname "$model"))" >&2; exit 1; }

echo "== GPU"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || echo "nvidia-smi failed: no usable NVIDIA driver?"
provider=$(find "$publish" -name 'libonnxruntime_providers_cuda.so' | head -1)
if [ -n "$provider" ] && ldd "$provider" | grep -q 'not found'; then
  echo "libraries the CUDA provider cannot find (install them or add their folders to LD_LIBRARY_PATH):"
  ldd "$provider" | grep 'not found'
fi

echo "== onnxinterp-ort on cuda (log $out/ort-cuda.log)"
"$publish/Benchmarks" suite --model "$model" --pair tools/bench/ioi-pair.json --device cuda --json "$out/ort-cuda.json" "${extra[@]}" 2>&1 | tee "$out/ort-cuda.log"
status=$?
[ $status = 0 ] && echo "wrote $out/ort-cuda.json; to add it to the report: $publish/Benchmarks report $out/*.json -o BENCHMARKS.md"
exit $status
