#!/usr/bin/python3
"""MNE-Python's permutation_t_test on the differences in a .npy file, timed in process.

The file holds a float64 array [pairs, units] (the differences a - b; tools/bench/stats-vs-mne.ts
writes one). Runs permutation_t_test(X, n_permutations, tail=0, n_jobs=1, seed=0) RUNS times in
this one process and times each call alone with time.perf_counter (imports, loading the file and
interpreter start-up are excluded). Prints one JSON object: versions, shape, the seconds of each
run, peak RSS (ru_maxrss) in MiB, max |T_obs| and its unit, min p and the units with p < 0.05
(MNE's p-values are max-statistic, i.e. family-wise, corrected).

Run from the repository root with the Debian interpreter (apt-get install -y python3-mne):

    /usr/bin/python3 tools/bench/mne-permutation-t-test-file.py DIFF.npy [--runs 3] [--permutations 10000]
"""

import argparse
import json
import platform
import resource
import time

import numpy as np

import mne
from mne.stats import permutation_t_test


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", help=".npy file with a float64 array [pairs, units]")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--permutations", type=int, default=10_000)
    args = parser.parse_args()

    X = np.load(args.data)
    if X.ndim != 2 or X.dtype != np.float64:
        raise SystemExit(f"{args.data}: expected a float64 array [pairs, units], got {X.dtype} {X.shape}")

    seconds = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        T_obs, p_values, H0 = permutation_t_test(X, n_permutations=args.permutations, tail=0,
                                                 n_jobs=1, seed=0, verbose=False)
        seconds.append(time.perf_counter() - t0)

    abs_t = np.abs(T_obs)
    print(json.dumps({
        "python": platform.python_version(),
        "numpy": np.__version__,
        "mne": mne.__version__,
        "shape": list(X.shape),
        "permutations": args.permutations,
        "lenH0": int(len(H0)),
        "seconds": seconds,
        "peakRssMiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "maxAbsT": float(abs_t.max()),
        "maxAbsTUnit": int(abs_t.argmax()),
        "minP": float(p_values.min()),
        "unitsBelow05": int((p_values < 0.05).sum()),
    }))


if __name__ == "__main__":
    main()
