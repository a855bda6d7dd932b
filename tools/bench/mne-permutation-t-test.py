#!/usr/bin/python3
"""Benchmark MNE-Python's permutation_t_test at the engine's target size.

16,320 units x 25 pairs x 10,000 sign flips, X ~ N(0, 1) (numpy default_rng(0)),
tail=0, n_jobs=1, seed=0. Prints wall seconds of the permutation_t_test call and the
process's peak RSS (resource.getrusage(RUSAGE_SELF).ru_maxrss, KiB on Linux).

Run from the repository root with the Debian interpreter (not the `python3` on PATH):

    apt-get install -y python3-numpy python3-mne
    /usr/bin/python3 tools/bench/mne-permutation-t-test.py

measured on a 2-core machine (Intel Xeon VM, 23 GiB RAM, Debian bookworm: Python 3.11.2,
numpy 1.24.2 on OpenBLAS-pthread, mne 1.3.0), one run:
    wall seconds (permutation_t_test): 15.63
    peak RSS: 5134 MiB (143 MiB before the call)
    (/usr/bin/time: 16.2 s elapsed for the whole script, 102% CPU, so effectively one core.)
Most of the memory is MNE's _max_stat holding the full 10,000 x 16,320 float64 matrix of
permuted means (1.3 GB) plus several temporaries of the same size, since n_jobs=1 puts all
permutations in one chunk. Note MNE counts the identity in n_permutations: 9,999 random
sign patterns are evaluated and len(H0) = 10,000.
"""

import platform
import resource
import time

import numpy as np

import mne
from mne.stats import permutation_t_test

N_UNITS = 16_320
N_PAIRS = 25
N_PERMUTATIONS = 10_000


def main():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((N_PAIRS, N_UNITS))
    rss_before_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    t0 = time.perf_counter()
    T_obs, p_values, H0 = permutation_t_test(X, n_permutations=N_PERMUTATIONS, tail=0,
                                             n_jobs=1, seed=0, verbose=False)
    wall = time.perf_counter() - t0

    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"python {platform.python_version()}, numpy {np.__version__}, mne {mne.__version__}")
    print(f"shape: {N_UNITS} units x {N_PAIRS} pairs x {N_PERMUTATIONS} sign flips "
          f"(len(H0) = {len(H0)})")
    print(f"wall seconds (permutation_t_test): {wall:.2f}")
    print(f"peak RSS: {peak_kib / 1024:.0f} MiB (before the call: {rss_before_kib / 1024:.0f} MiB)")
    print(f"min p: {p_values.min():.4g}, max |T_obs|: {np.abs(T_obs).max():.4f}")


if __name__ == "__main__":
    main()
