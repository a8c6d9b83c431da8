"""Benchmark: families of 100,000 instruments with bootstrap stability and the MCA map
(run instruments_import.py first).

    .venv/bin/python benchmarks/instruments_families.py [--data-dir DIR] [--bootstrap 20]
"""

from __future__ import annotations

import argparse
import os
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", default="/tmp/iocompendium-bench-instruments")
    parser.add_argument("--bootstrap", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    os.environ["IOCOMPENDIUM_DATA_DIR"] = args.data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iocompendium.settings")
    import django

    django.setup()
    from iocompendium.instruments import selectors, services

    started = time.perf_counter()
    services.compute_families(seed=args.seed, bootstrap=args.bootstrap)
    seconds = time.perf_counter() - started
    summary = selectors.families_summary("en")
    print(
        f"families of {summary['n_instruments']} instruments ({summary['n_profiles']} profiles, "
        f"{args.bootstrap} bootstrap resamples for each k tried, MCA map, words in EN and FR, "
        f"stored): {seconds:.1f} s; k={summary['k']}, "
        f"stability={summary['stability']['mean_ari']}, "
        f"expert agreement={summary['expert_agreement']['ari']}"
    )


if __name__ == "__main__":
    main()
