"""Reference values of Student's t survival function and interval probabilities, from SciPy.

Writes libs/report/tests/fixtures/student-t-scipy.json. Run from the repository root:
    /usr/bin/python3 tools/report-fixtures/student-t.py
"""
import json
import pathlib

import scipy
from scipy import stats

ts = [-40.0, -8.0, -3.0, -1.0, -0.25, 0.0, 0.1, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 30.0, 100.0, 1e4]
dfs = [1, 2, 4, 9, 24, 99, 999]
survival = [{"t": t, "df": df, "sf": float(stats.t.sf(t, df))} for df in dfs for t in ts]
intervals = [
    {"lo": lo, "hi": hi, "df": df, "p": float(stats.t.sf(lo, df) - stats.t.sf(hi, df)) if lo >= 0 else float(stats.t.cdf(hi, df) - stats.t.cdf(lo, df))}
    for df in [4, 24]
    for lo, hi in [(-0.25, 0.0), (-5.0, 5.0), (3.0, 3.25), (9.75, 10.0), (-10.0, -9.75), (20.0, 20.25), (-1e3, 1e3)]
]
out = pathlib.Path(__file__).resolve().parents[2] / "libs/report/tests/fixtures/student-t-scipy.json"
out.write_text(json.dumps({"scipy": scipy.__version__, "survival": survival, "intervals": intervals}, indent=1) + "\n")
print(f"wrote {out} ({len(survival)} survival values, {len(intervals)} intervals)")
