#!/usr/bin/python3
"""Generate reference fixtures for the TypeScript paired-statistics engine (libs/stats).

Produces, in libs/stats/tests/fixtures/:

* scipy-ttest-rel.json      -- paired t (scipy.stats.ttest_rel, two-sided / greater / less),
                               Cohen's d_z, mean and SD of the differences, per unit.
* mne-permutation-exact.json -- exact sign-flip max-|t| permutation tests from
                               mne.stats.permutation_t_test (T_obs, FWER p-values, H0).
* scipy-misc.json           -- Pearson r (scipy.stats.pearsonr), Benjamini-Hochberg q-values
                               (statsmodels / MNE, see below), np.quantile (linear), np.median
                               and np.quantile of counts (inverted_cdf).

Rerun from the repository root with the Debian interpreter and packages (NOT the `python3`
on PATH):

    apt-get install -y python3-numpy python3-scipy python3-mne python3-statsmodels
    /usr/bin/python3 tools/stats-fixtures/generate.py

All inputs come from seeded numpy Generators, so reruns with the same library versions
produce byte-identical files. Library versions are recorded inside the JSON files.

Encoding conventions
--------------------
* Matrices are row-major [pairs x units] flat arrays (a[i * nUnits + j] is pair i, unit j).
* Floats are written with json.dumps (Python repr: shortest string that round-trips to the
  same float64), so JSON.parse in JS gives bit-identical doubles.
* NaN and +/-Infinity are not valid JSON; they are written as null, and every such entry is
  listed in the case's `nonFinite` array as {field, index, value: "NaN"|"Infinity"|"-Infinity"}.
  SciPy 1.10 returns t = +/-inf (p = 0) for a constant non-zero difference and t = NaN for an
  all-zero difference.

MNE permutation_t_test: how it enumerates and what its p-values are (MNE 1.3.0 source,
mne/stats/permutations.py and mne/stats/cluster_level.py)
----------------------------------------------------------------------------------------
* T_obs (permutations.py:78-82) uses "variance splitting": var = mean(X**2) - mean(X)**2,
  scaled by n/(n-1); i.e. the usual one-sample t on X = a - b, but computed with the
  one-pass formula (slightly different rounding than scipy's two-pass variance).
* Orders come from _get_1samp_orders (cluster_level.py:791-829). For tail=0,
  max_perms = 2**(n-1) - 1 (line 793). The exact branch is taken only when
  max_perms < n_permutations (line 800), i.e. n_permutations >= 2**(n-1); it uses rows
  1 .. 2**(n-1)-1 of bin_perm_rep(n) (line 804), i.e. binary counting with the first sample
  as the most-significant bit, so the first sample's bit is always 0.
* Bits map to signs by perms = 2*orders - 1 (permutations.py:85): bit 0 -> -1 (flipped),
  bit 1 -> +1 (the inline comment there says "0, 1 -> 1, -1", which is the other way round;
  harmless, because for tail=0 only |t| is used and s and -s give the same |t|). So the
  enumerated sign vectors are all vectors with s[0] = -1 except the all-(-1) vector: one
  representative from each of the 2**(n-1) - 1 non-identity sign classes {s, -s}.
* The identity class is not computed by permutation; instead max|T_obs| is appended to the
  null (permutations.py:90) and the whole null is sorted (line 91). So H0 has exactly
  2**(n-1) entries, ascending, and includes the observed statistic once.
* p-values (permutations.py:92-93): p_j = mean(H0 >= |T_obs_j|), with ">=" and the identity
  included, so the smallest attainable p is 1 / 2**(n-1). These are FWER (t-max) adjusted.
  Counting each class once (2**(n-1)) or both members (2**n) gives the same fractions.
* PITFALL (MNE 1.3.0): n_permutations='all' is NOT exact. Line 798 sets
  n_permutations = max_perms and the test `max_perms < n_permutations` (line 800) is then
  false, so the random branch (line 805-808) draws max_perms - 1 of the max_perms non-identity
  classes: one class is silently dropped, len(H0) = 2**(n-1) - 1 and p depends on the seed.
  This script therefore passes n_permutations = 2**n, which takes the exact branch.
  The note field in mne-permutation-exact.json records this (with the measured lengths).

BH q-values: scipy.stats.false_discovery_control only exists from SciPy 1.11; Debian
bookworm ships SciPy 1.10.1. The q-values are therefore taken from statsmodels'
multipletests(method='fdr_bh') and cross-checked against mne.stats.fdr_correction
(method='indep'); both implement the same step-up formula as SciPy's
false_discovery_control(p, method='bh'): q_(i) = min_{k>=i} p_(k) * m / k, clipped at 1.
"""

import json
import platform
import sys
import warnings
from pathlib import Path

import numpy as np
import scipy
import scipy.stats as st

import mne
from mne.stats import fdr_correction, permutation_t_test
import statsmodels
from statsmodels.stats.multitest import multipletests

REPO_ROOT = Path(__file__).resolve().parents[2]
OUT_DIR = REPO_ROOT / "libs" / "stats" / "tests" / "fixtures"

QUANTILE_PROBS = [0.25, 0.5, 0.75, 0.95, 0.99]
COUNT_QUANTILE_PROBS = [0.0, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 1.0]


# --------------------------------------------------------------------------------------
# JSON helpers
# --------------------------------------------------------------------------------------

def _scalar(x):
    if isinstance(x, (np.floating, float)):
        x = float(x)
        if not np.isfinite(x):
            raise ValueError(f"non-finite value {x!r} must be encoded before dumping")
    elif isinstance(x, (np.integer,)):
        x = int(x)
    elif isinstance(x, (np.bool_,)):
        x = bool(x)
    return json.dumps(x, allow_nan=False)


def _fmt(v, level=0, indent=2):
    """Pretty JSON with arrays of scalars kept on one line (keeps diffs and size small)."""
    pad = " " * (indent * level)
    pad1 = " " * (indent * (level + 1))
    if isinstance(v, dict):
        if not v:
            return "{}"
        items = [f"{pad1}{json.dumps(k)}: {_fmt(val, level + 1, indent)}" for k, val in v.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(v, (list, tuple)):
        if all(not isinstance(x, (dict, list, tuple)) for x in v):
            return "[" + ", ".join(_scalar(x) for x in v) + "]"
        items = [pad1 + _fmt(x, level + 1, indent) for x in v]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    return _scalar(v)


def write_json(name, obj):
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    path = OUT_DIR / name
    text = _fmt(obj) + "\n"
    json.loads(text)  # sanity: valid JSON
    path.write_text(text)
    print(f"wrote {path.relative_to(REPO_ROOT)} ({path.stat().st_size} bytes)")


def enc(arr, field, nonfinite):
    """float array -> list of float|None; records non-finite entries in `nonfinite`."""
    out = []
    for i, x in enumerate(np.asarray(arr, dtype=np.float64).ravel()):
        x = float(x)
        if np.isfinite(x):
            out.append(x)
        else:
            out.append(None)
            value = "NaN" if np.isnan(x) else ("Infinity" if x > 0 else "-Infinity")
            nonfinite.append({"field": field, "index": i, "value": value})
    return out


def flat(arr):
    arr = np.asarray(arr, dtype=np.float64)
    assert np.all(np.isfinite(arr))
    return [float(x) for x in arr.ravel()]


def versions():
    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "mne": mne.__version__,
        "statsmodels": statsmodels.__version__,
    }


# --------------------------------------------------------------------------------------
# a. scipy.stats.ttest_rel
# --------------------------------------------------------------------------------------

def paired_data(seed, n_pairs, effects, noise_sd=1.0, offset=0.0, subject_sd=1.0):
    """a = offset + subject + effect + e1, b = offset + subject + e2 (per unit)."""
    rng = np.random.default_rng(seed)
    effects = np.asarray(effects, dtype=np.float64)
    n_units = effects.size
    subject = rng.normal(0.0, subject_sd, size=(n_pairs, n_units))
    a = offset + subject + effects[None, :] + rng.normal(0.0, noise_sd, size=(n_pairs, n_units))
    b = offset + subject + rng.normal(0.0, noise_sd, size=(n_pairs, n_units))
    return a, b


def ttest_case(name, a, b, description):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    n_pairs, n_units = a.shape
    nonfinite = []
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        two = st.ttest_rel(a, b, axis=0)
        gre = st.ttest_rel(a, b, axis=0, alternative="greater")
        les = st.ttest_rel(a, b, axis=0, alternative="less")
        diff = a - b
        mean_diff = np.mean(diff, axis=0)
        sd_diff = np.std(diff, axis=0, ddof=1)
        d = mean_diff / sd_diff
    # consistency checks against the textbook formulas
    assert np.array_equal(np.isfinite(two.statistic), np.isfinite(d))
    fin = np.isfinite(d)
    np.testing.assert_allclose(two.statistic[fin], d[fin] * np.sqrt(n_pairs), rtol=1e-9)
    np.testing.assert_array_equal(two.statistic, gre.statistic)
    case = {
        "name": name,
        "description": description,
        "nPairs": n_pairs,
        "nUnits": n_units,
        "df": n_pairs - 1,
        "a": flat(a),
        "b": flat(b),
        "t": enc(two.statistic, "t", nonfinite),
        "p": enc(two.pvalue, "p", nonfinite),
        "pGreater": enc(gre.pvalue, "pGreater", nonfinite),
        "pLess": enc(les.pvalue, "pLess", nonfinite),
        "d": enc(d, "d", nonfinite),
        "meanDiff": flat(mean_diff),
        "sdDiff": flat(sd_diff),
        "nonFinite": nonfinite,
    }
    return case


def build_ttest_rel():
    cases = []

    a, b = paired_data(101, 2, [0.5, -1.0, 2.0])
    cases.append(ttest_case("n2-pairs", a, b, "Smallest valid n (df = 1), 3 units."))

    a, b = paired_data(102, 5, [0.0, 0.8, -0.8, 1.5])
    cases.append(ttest_case("n5-pairs", a, b, "n = 5 pairs, 4 units with mixed effects."))

    effects = np.tile(np.array([0.0, 0.0, 0.2, -0.2, 0.5, -0.5, 1.0, -1.0, 2.0, -3.0]), 4)
    a, b = paired_data(103, 25, effects)
    cases.append(ttest_case(
        "n25-x40-mixed-effects", a, b,
        "25 pairs x 40 units; effects cycle through 0, +/-0.2, +/-0.5, +/-1, 2, -3 "
        "(noise sd 1 per condition, shared subject sd 1)."))

    a, b = paired_data(104, 12, [0.0, 0.3, -0.7, 1.0, 2.5, -0.1, 0.05, 4.0],
                       offset=1e6, subject_sd=10.0)
    cases.append(ttest_case(
        "large-offset-1e6", a, b,
        "Values ~1e6 + small noise (subject sd 10, noise sd 1): naive sum-of-squares on a, b "
        "or mean(a) - mean(b) arithmetic loses digits here."))

    a, b = paired_data(105, 10, [0.0, 1e-3, -2e-3, 5e-4, 3e-3, -1e-4],
                       offset=1e9, noise_sd=1e-3, subject_sd=1e-2)
    cases.append(ttest_case(
        "large-offset-1e9-tiny-noise", a, b,
        "Values ~1e9 with noise sd 1e-3 (ulp at 1e9 is ~1.2e-7): a stricter stability case."))

    # zero-variance units; integer-valued so every difference is exact in float64
    rng = np.random.default_rng(106)
    n = 6
    a = np.empty((n, 5))
    b = np.empty((n, 5))
    a[:, 0] = rng.integers(-10, 10, size=n)
    b[:, 0] = rng.integers(-10, 10, size=n)           # ordinary unit
    a[:, 1] = rng.integers(0, 20, size=n)
    b[:, 1] = a[:, 1] - 2.0                           # constant difference +2 -> t = +inf
    a[:, 2] = 3.0
    b[:, 2] = 3.0                                     # all values equal -> 0/0 = NaN
    a[:, 3] = rng.integers(0, 20, size=n)
    b[:, 3] = a[:, 3]                                 # a == b per pair, varying -> NaN
    a[:, 4] = rng.integers(0, 20, size=n)
    b[:, 4] = a[:, 4] + 0.5                           # constant difference -0.5 -> t = -inf
    cases.append(ttest_case(
        "zero-variance-units", a, b,
        "Unit 0 ordinary; unit 1 constant difference +2 (scipy t=+inf, p=0); unit 2 all values "
        "equal (t=NaN); unit 3 a==b but varying across pairs (t=NaN); unit 4 constant "
        "difference -0.5 (t=-inf). Integer/half-integer data so differences are exact."))
    return cases


# --------------------------------------------------------------------------------------
# b. mne.stats.permutation_t_test, exact
# --------------------------------------------------------------------------------------

def all_flips_reference(X):
    """Independent check: every one of the 2**n sign vectors, two-pass t, max |t|."""
    n = X.shape[0]
    signs = 1.0 - 2.0 * ((np.arange(2 ** n)[:, None] >> np.arange(n)[None, :]) & 1)
    tmax = np.empty(2 ** n)
    for k, s in enumerate(signs):
        Y = X * s[:, None]
        t = Y.mean(0) / (Y.std(0, ddof=1) / np.sqrt(n))
        tmax[k] = np.max(np.abs(t))
    return np.sort(tmax)


def mne_case(name, seed, n_pairs, effects, description):
    rng = np.random.default_rng(seed)
    effects = np.asarray(effects, dtype=np.float64)
    n_units = effects.size
    subject = rng.normal(0.0, 1.0, size=(n_pairs, n_units))
    a = subject + effects[None, :] + rng.normal(0.0, 1.0, size=(n_pairs, n_units))
    b = subject + rng.normal(0.0, 1.0, size=(n_pairs, n_units))
    X = a - b
    n_perm_arg = 2 ** n_pairs
    T_obs, p_values, H0 = permutation_t_test(X, n_permutations=n_perm_arg, tail=0,
                                             n_jobs=1, seed=0, verbose=False)
    assert len(H0) == 2 ** (n_pairs - 1), len(H0)
    assert np.all(np.diff(H0) >= 0)

    # cross-check 1: T_obs equals scipy's paired t on (a, b)
    t_scipy = st.ttest_rel(a, b, axis=0).statistic
    np.testing.assert_allclose(T_obs, t_scipy, rtol=1e-10)
    # cross-check 2: full 2**n enumeration with two-pass variance gives the same null/p
    ref = all_flips_reference(X)
    np.testing.assert_allclose(ref[::2], H0, rtol=1e-10)
    np.testing.assert_allclose(ref[1::2], H0, rtol=1e-10)
    p_ref = (ref[None, :] >= np.abs(T_obs)[:, None] * (1 - 1e-12)).mean(1)
    np.testing.assert_array_equal(p_ref, p_values)
    # robustness: how close is any |T_obs_j| to a null value (other than the max itself,
    # which is in H0 by construction)? A tiny gap would make ">=" fragile across
    # implementations; keep the data such that it is not.
    absT = np.abs(T_obs)
    rel = np.abs(H0[None, :] - absT[:, None]) / absT[:, None]
    rel[rel == 0] = np.inf
    min_gap = float(rel.min())
    assert min_gap > 1e-9, (name, min_gap)
    # what 'all' would have given (the pitfall documented in the module docstring)
    _, _, H0_all = permutation_t_test(X, n_permutations="all", tail=0, n_jobs=1, seed=0,
                                      verbose=False)

    nonfinite = []
    return {
        "name": name,
        "description": description,
        "nPairs": n_pairs,
        "nUnits": n_units,
        "nPermutationsArg": n_perm_arg,
        "tail": 0,
        "a": flat(a),
        "b": flat(b),
        "X": flat(X),
        "T_obs": enc(T_obs, "T_obs", nonfinite),
        "p_values": enc(p_values, "p_values", nonfinite),
        "H0": enc(H0, "H0", nonfinite),
        "nPermutationsUsed": int(len(H0)),
        "minRelGapAbsTObsToH0": min_gap,
        "lenH0WithAllArgument": int(len(H0_all)),
    }


def build_mne():
    cases = [
        mne_case("n6-x30-mostly-null", 201, 6,
                 np.concatenate([[6.0, -6.0, 3.0], np.zeros(27)]),
                 "6 pairs x 30 units; units 0-2 have effects, the rest are null."),
        mne_case("n9-x30-mixed", 202, 9, np.tile([0.0, 0.0, 0.3, -0.3, 0.8, -0.8], 5),
                 "9 pairs x 30 units, small/moderate effects."),
        mne_case("n12-x30-strong-effects", 203, 12,
                 np.concatenate([[3.0, -3.5, 4.0, 2.5, -5.0], np.zeros(25)]),
                 "12 pairs x 30 units; units 0-4 have strong effects (p at the floor "
                 "1/2048 expected for at least one), the rest are null."),
    ]
    lens = ", ".join(f"n={c['nPairs']}: {c['nPermutationsUsed']} vs {c['lenH0WithAllArgument']}"
                     for c in cases)
    note = (
        f"Generated with mne {mne.__version__}: permutation_t_test(X, n_permutations=2**n, "
        "tail=0, n_jobs=1, seed=0), X = a - b (row-major [pairs x units]). "
        "Exact enumeration for tail=0 uses 2**(n-1) sign patterns, exploiting sign symmetry "
        "(|t| of s and -s are equal): _get_1samp_orders sets max_perms = 2**(n-1) - 1 and takes "
        "rows 1..2**(n-1)-1 of bin_perm_rep(n) (first sample's sign always -1, bit 0 -> sign -1, "
        "bit 1 -> +1); the identity is not recomputed but max|T_obs| is appended, so "
        "len(H0) = 2**(n-1) and H0 is sorted ascending. "
        "p_values = mean(H0 >= |T_obs|) (identity included, '>=' comparison, min p = "
        "1/2**(n-1)); they are FWER (t-max) adjusted. T_obs uses var = mean(X^2) - mean(X)^2 "
        "times n/(n-1). PITFALL: n_permutations='all' is NOT exact in this MNE version "
        "(it sets n_permutations = max_perms, fails the `max_perms < n_permutations` test and "
        "samples max_perms - 1 classes at random, dropping one; p depends on seed). len(H0) "
        f"exact vs 'all': {lens}. Verified in generate.py against a full 2**n two-pass "
        "enumeration (same p exactly, H0 to rtol 1e-10) and against scipy.stats.ttest_rel "
        "(T_obs to rtol 1e-10). minRelGapAbsTObsToH0 = smallest relative distance between "
        "any |T_obs_j| and any H0 value other than an exact tie, i.e. how much rounding "
        "slack the '>=' comparisons have."
    )
    return {
        "generator": "tools/stats-fixtures/generate.py",
        "versions": versions(),
        "note": note,
        "cases": cases,
    }


# --------------------------------------------------------------------------------------
# c. misc helpers: pearsonr, BH q-values, quantiles
# --------------------------------------------------------------------------------------

def build_misc():
    rng = np.random.default_rng(301)

    # Pearson r
    pearson_inputs = []
    x = rng.normal(size=10)
    pearson_inputs.append(("n10-positive", x, 0.7 * x + rng.normal(scale=0.5, size=10)))
    x = rng.normal(size=30)
    pearson_inputs.append(("n30-negative", x, -0.4 * x + rng.normal(size=30)))
    x = rng.normal(size=50)
    pearson_inputs.append(("n50-independent", x, rng.normal(size=50)))
    pearson_inputs.append(("n3-small", np.array([1.0, 2.0, 4.0]), np.array([2.0, 1.0, 7.0])))
    pearson_inputs.append(("n2", np.array([0.5, 1.5]), np.array([3.0, -1.0])))
    pearson_inputs.append(("exact-linear", np.arange(8.0), 3.0 * np.arange(8.0) - 2.0))
    x = rng.normal(size=20)
    pearson_inputs.append(("large-offset-1e6", 1e6 + x,
                           1e6 + 0.5 * x + rng.normal(scale=0.5, size=20)))
    pearson_inputs.append(("ties", np.array([1.0, 1.0, 2.0, 2.0, 3.0, 3.0, 3.0]),
                           np.array([2.0, 3.0, 3.0, 3.0, 5.0, 4.0, 5.0])))
    pearson_inputs.append(("constant-x", np.full(5, 2.0), np.array([1.0, 2.0, 3.0, 4.0, 6.0])))
    pearson = []
    for name, x, y in pearson_inputs:
        nonfinite = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = st.pearsonr(x, y)
        pearson.append({
            "name": name,
            "x": flat(x),
            "y": flat(y),
            "r": enc([res.statistic], "r", nonfinite)[0],
            "p": enc([res.pvalue], "p", nonfinite)[0],
            "nonFinite": nonfinite,
        })

    # Benjamini-Hochberg
    bh_inputs = [
        ("uniform-10", rng.uniform(size=10)),
        ("mixed-signal-20", np.concatenate([rng.uniform(0, 0.01, size=6), rng.uniform(size=14)])),
        ("ties", np.array([0.01, 0.01, 0.02, 0.02, 0.02, 0.5, 0.5, 1.0])),
        ("needs-monotone-step", np.array([0.04, 0.01, 0.03, 0.045, 0.2, 0.041])),
        ("with-0-and-1", np.array([0.0, 1.0, 0.5, 1e-12, 0.05])),
        ("single", np.array([0.03])),
        ("permutation-grid", np.array([1 / 2048, 3 / 2048, 1 / 2048, 0.5, 1.0, 17 / 2048])),
    ]
    bh = []
    for name, p in bh_inputs:
        q_sm = multipletests(p, method="fdr_bh")[1]
        q_mne = fdr_correction(p, alpha=0.05, method="indep")[1]
        np.testing.assert_allclose(q_sm, q_mne, rtol=1e-14, atol=0)
        bh.append({"name": name, "p": flat(p), "q": flat(q_sm)})

    # np.quantile, method='linear' (Hyndman & Fan type 7)
    q_inputs = [
        ("length-1", np.array([4.2])),
        ("length-2", np.array([3.0, 1.0])),
        ("length-3", np.array([2.0, -1.0, 7.5])),
        ("length-5-ties", np.array([1.0, 2.0, 2.0, 2.0, 5.0])),
        ("all-equal", np.full(6, 0.25)),
        ("integers-with-ties", np.array([3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0, 5.0, 3.0, 5.0])),
        ("normal-10", rng.normal(size=10)),
        ("normal-101", rng.normal(size=101)),
        ("permutation-null-like-2048", np.sort(np.abs(rng.standard_t(df=11, size=2048)))),
    ]
    quant = []
    for name, v in q_inputs:
        qs = np.quantile(v, QUANTILE_PROBS, method="linear")
        quant.append({"name": name, "values": flat(v), "probs": QUANTILE_PROBS,
                      "quantiles": flat(qs)})

    # np.median: the middle value, or the mean of the two middle values
    medians = []
    for name, v in q_inputs + [("tenths", np.array([0.1, 0.7, 0.2, 0.4])),
                               ("r-like-100", np.tanh(rng.normal(0.4, 0.3, size=100)))]:
        medians.append({"name": name, "values": flat(v), "median": float(np.median(v))})

    # Quantiles of counts as order statistics: np.quantile(..., method='inverted_cdf')
    # (Hyndman-Fan 1), the smallest count c with at least a share q of the counts <= c.
    count_inputs = [
        ("sampled-99-mostly-zero", np.concatenate([np.zeros(97), [1, 2]])),
        ("sampled-99-poisson", rng.poisson(2.0, size=99)),
        ("sampled-100-poisson", rng.poisson(0.3, size=100)),
        ("sampled-1000-poisson", rng.poisson(40.0, size=1000)),
        ("exact-1024-counts", rng.binomial(16320, 0.0027, size=1024)),
        ("sampled-10000-counts", rng.binomial(16320, 0.0027, size=10000)),
        ("length-1", np.array([7])),
        ("length-2", np.array([5, 3])),
    ]
    count_quant = []
    for name, v in count_inputs:
        qs = np.quantile(v, COUNT_QUANTILE_PROBS, method="inverted_cdf")
        assert np.all(qs == np.round(qs))
        # independent check: the smallest c with #(v <= c) / n >= q
        for q, c in zip(COUNT_QUANTILE_PROBS, qs):
            assert c == min(x for x in v if np.mean(v <= x) >= q), (name, q)
        count_quant.append({"name": name, "values": [int(x) for x in v],
                            "probs": COUNT_QUANTILE_PROBS, "quantiles": [int(x) for x in qs]})

    return {
        "generator": "tools/stats-fixtures/generate.py",
        "versions": versions(),
        "notes": {
            "pearson": "scipy.stats.pearsonr(x, y): r and two-sided p. constant-x gives NaN "
                       "(ConstantInputWarning) -> null, listed in nonFinite.",
            "bh": "Benjamini-Hochberg q-values, q_(i) = min_{k>=i} p_(k) * m / k, clipped at 1. "
                  "SciPy 1.10.1 (Debian bookworm) has no false_discovery_control (added in "
                  "1.11), so values are statsmodels multipletests(p, method='fdr_bh')[1], "
                  "asserted equal (rtol 1e-14) to mne.stats.fdr_correction(p, method='indep'); "
                  "the formula is the one scipy's false_discovery_control(p, method='bh') uses.",
            "quantiles": "np.quantile(values, probs, method='linear') (Hyndman-Fan type 7: "
                         "h = (n-1)*p, interpolate between sorted[floor(h)] and sorted[ceil(h)]).",
            "medians": "np.median(values): the middle value, or the mean of the two middle values.",
            "countQuantiles": "np.quantile(counts, probs, method='inverted_cdf') (Hyndman-Fan "
                              "type 1): the smallest count c with #(counts <= c) / n >= q, "
                              "asserted equal to that definition computed directly.",
        },
        "pearson": pearson,
        "bh": bh,
        "quantiles": quant,
        "medians": medians,
        "countQuantiles": count_quant,
    }


def main():
    if not hasattr(np, "quantile"):
        sys.exit("numpy too old")
    write_json("scipy-ttest-rel.json", build_ttest_rel())
    write_json("mne-permutation-exact.json", build_mne())
    write_json("scipy-misc.json", build_misc())
    total = sum(p.stat().st_size for p in OUT_DIR.glob("*.json"))
    print(f"total fixture size: {total} bytes")
    assert total < 2_000_000


if __name__ == "__main__":
    main()
