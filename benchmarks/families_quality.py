"""Families' quality on a data folder: stability (mean adjusted Rand index over bootstrap
resamples) and agreement with the expert typology (adjusted Rand index), for seeds 1-5,
through the command's JSON contract (`iocompendium instruments families --json`).

    .venv/bin/iocompendium demo --no-serve --data-dir /tmp/families-quality
    .venv/bin/python benchmarks/families_quality.py --data-dir /tmp/families-quality

Each run is stored in the data folder like any other (the last one is the current one).
The figures "before" issue 18 came from the code of commit 6130bfd (`git worktree add
/tmp/families-before 6130bfd`, install it in its own virtual environment, run its demo and
`iocompendium instruments families --json --seed N` there; its JSON has `stability.mean`
and `comparison.adjusted_rand`); this script reads both layouts.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path


def _command() -> list[str]:
    script = Path(sys.executable).with_name("iocompendium")
    return [str(script)] if script.exists() else [shutil.which("iocompendium") or "iocompendium"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument("--bootstrap", type=int, default=20)
    options = parser.parse_args()
    env = {**os.environ, "IOCOMPENDIUM_DATA_DIR": options.data_dir}
    for seed in options.seeds:
        output = subprocess.run(
            [*_command(), "instruments", "families", "--json", "--seed", str(seed),
             "--bootstrap", str(options.bootstrap)],
            env=env, check=True, capture_output=True, text=True).stdout
        summary = json.loads(output)
        stability = summary.get("stability", {})
        mean = stability.get("mean_ari", stability.get("mean"))
        expert = summary.get("expert_agreement", {}).get("ari")
        if expert is None:
            expert = summary.get("comparison", {}).get("adjusted_rand")
        print(f"seed {seed}: {summary.get('n_instruments', '?')} instruments, "
              f"k = {summary.get('k', len(summary.get('families', [])))}, "
              f"mean bootstrap ARI {mean}, ARI with the expert typology {expert}")


if __name__ == "__main__":
    main()
