#!/usr/bin/env python3
"""Runs docs/examples/k8s-experiment-job.yaml's pods as its Indexed Job would, without a cluster: checks the Job's
fields (Indexed completion, completions = parallelism = the SHARDS variable), runs the container's command and args
once per JOB_COMPLETION_INDEX with the repository as the working directory and a temporary folder as the /results
volume, merges the shards, and compares the merge with one run of the same spec (every number, CSV and PNG).
Kubernetes itself (scheduling, the volume, the image) is not exercised. Needs python3-yaml and onnxinterp on PATH
(tools/scale-out/slurm-local.sh shows a wrapper around the built CLI).
    tools/scale-out/k8s-local.py                      (from the repository root)
"""
import os, pathlib, shutil, subprocess, sys, tempfile
import yaml

job = yaml.safe_load(pathlib.Path("docs/examples/k8s-experiment-job.yaml").read_text())
spec = job["spec"]
container = spec["template"]["spec"]["containers"][0]
env = {e["name"]: e["value"] for e in container.get("env", [])}
shards = int(env["SHARDS"])
assert job["kind"] == "Job" and spec["completionMode"] == "Indexed", "the manifest must be an Indexed Job"
assert spec["completions"] == spec["parallelism"] == shards, "completions, parallelism and SHARDS must be the same N"

results = pathlib.Path(tempfile.mkdtemp(prefix="k8s-results-"))
script = " ".join(container["args"]).replace("/results", str(results))
for k in range(shards):
    pod_env = dict(os.environ, **env, JOB_COMPLETION_INDEX=str(k))
    subprocess.run(container["command"] + [script], env=pod_env, check=True, stdout=subprocess.DEVNULL)
subprocess.run(["onnxinterp", "merge", *sorted(map(str, (results / "shards").iterdir())), "-o", str(results / "merged")], check=True, stdout=subprocess.DEVNULL)
subprocess.run(["onnxinterp", "experiment", "docs/examples/ioi.experiment.json", "-o", str(results / "single"), "--device", "cpu", "--quiet"], check=True, stdout=subprocess.DEVNULL)

compared = subprocess.run([sys.executable, "tools/scale-out/compare_runs.py", str(results / "single"), str(results / "merged"), f"k8s-local ({shards} pods)"])
shutil.rmtree(results)
sys.exit(compared.returncode)
