#!/usr/bin/env python3
"""Compares a merged experiment folder with a single run's: every step's numbers in results.json (without times, file
lists, and the session runs and rows of split patch and ablate steps, which count every shard's work) and every CSV and
PNG file byte for byte. Exit status 0 when they are equal.
    compare_runs.py SINGLE_DIR MERGED_DIR LABEL
"""
import filecmp, json, pathlib, sys

single, merged, label = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), sys.argv[3]

def steps(path):
    steps = json.loads(path.read_text())["steps"]
    for s in steps:
        for key in ("seconds", "files"): s.pop(key, None)
        s["result"].pop("seconds", None)
        if s["step"] in ("patch", "ablate"):
            for key in ("runs", "rows"): s["result"].pop(key, None)
    return steps

same = steps(single / "results.json") == steps(merged / "results.json")
files = sorted(p.name for p in single.iterdir() if p.suffix in (".csv", ".png"))
differ = [f for f in files if not filecmp.cmp(single / f, merged / f, shallow=False)]
print(f"{label}: {len(files)} CSV/PNG files, {len(differ)} differ; results.json steps {'equal' if same else 'DIFFER'}")
sys.exit(0 if same and not differ else 1)
