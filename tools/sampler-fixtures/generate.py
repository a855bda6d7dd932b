"""Schedule fixtures for the FLUX.2 klein sampler, worked out with NumPy from diffusers' formulas.

Each line below is the corresponding line of huggingface/diffusers (src/diffusers/), run on the
same NumPy dtypes: pipelines/flux2/pipeline_flux2_klein.py (compute_empirical_mu, lines 63-78;
the sigmas, line 812) and schedulers/scheduling_flow_match_euler_discrete.py (set_timesteps,
lines 334-377; _time_shift_exponential / _time_shift_linear, lines 646-650). torch's float32
tensor arithmetic (timesteps = sigmas * 1000, timestep / 1000) is done in NumPy float32.
Writes libs/model-runtime/tests/fixtures/flow-match-schedule.json. Needs NumPy 2 (NEP 50 promotion,
as current torch and diffusers installs have): with NumPy 1 the float32 scalar of shift_terminal
promotes to float64 and the stretched sigmas differ in the last bit.
"""
import json
import math
import pathlib

import numpy as np


def compute_empirical_mu(image_seq_len, num_steps):
    a1, b1 = 8.73809524e-05, 1.89833333
    a2, b2 = 0.00016927, 0.45666666
    if image_seq_len > 4300:
        mu = a2 * image_seq_len + b2
        return float(mu)
    m_200 = a2 * image_seq_len + b2
    m_10 = a1 * image_seq_len + b1
    a = (m_200 - m_10) / 190.0
    b = m_200 - 200.0 * a
    mu = a * num_steps + b
    return float(mu)


def schedule(config, num_inference_steps, image_seq_len):
    sigmas = np.linspace(1.0, 1 / num_inference_steps, num_inference_steps)
    mu = compute_empirical_mu(image_seq_len=image_seq_len, num_steps=num_inference_steps)
    sigmas = np.array(sigmas).astype(np.float32)
    if config["use_dynamic_shifting"]:
        t, sigma = sigmas, 1.0
        if config["time_shift_type"] == "exponential":
            sigmas = math.exp(mu) / (math.exp(mu) + (1 / t - 1) ** sigma)
        else:
            sigmas = mu / (mu + (1 / t - 1) ** sigma)
    else:
        shift = config["shift"]
        sigmas = shift * sigmas / (1 + (shift - 1) * sigmas)
    if config.get("shift_terminal"):
        one_minus_z = 1 - sigmas
        scale_factor = one_minus_z[-1] / (1 - config["shift_terminal"])
        sigmas = 1 - (one_minus_z / scale_factor)
    sigmas = sigmas.astype(np.float32)
    timesteps = (sigmas * np.float32(config["num_train_timesteps"])).astype(np.float32)
    model_timesteps = (timesteps / np.float32(1000)).astype(np.float32)
    sigmas = np.concatenate([sigmas, np.zeros(1, dtype=np.float32)])
    return {
        "mu": mu if config["use_dynamic_shifting"] else None,
        "sigmas": [float(s) for s in sigmas],
        "timesteps": [float(t) for t in timesteps],
        "modelTimesteps": [float(t) for t in model_timesteps],
    }


FLUX2 = {"num_train_timesteps": 1000, "shift": 3.0, "use_dynamic_shifting": True, "time_shift_type": "exponential", "shift_terminal": None}
CASES = [
    ("tiny model, 128 x 128 px, 4 steps", FLUX2, 4, 64),
    ("klein 1024 x 1024, 50 steps (base)", FLUX2, 50, 4096),
    ("klein 1024 x 1024, 4 steps (distilled)", FLUX2, 4, 4096),
    ("1280 x 1024, over 4300 tokens, 28 steps", FLUX2, 28, 5120),
    ("one step", FLUX2, 1, 64),
    ("linear time shift", {**FLUX2, "time_shift_type": "linear"}, 8, 1024),
    ("static shift 3.0", {**FLUX2, "use_dynamic_shifting": False}, 10, 1024),
    ("shift_terminal 0.1", {**FLUX2, "shift_terminal": 0.1}, 6, 256),
]

out = [{"name": name, "config": config, "steps": steps, "imageSeqLen": seq, **schedule(config, steps, seq)} for name, config, steps, seq in CASES]
target = pathlib.Path(__file__).resolve().parents[2] / "libs/model-runtime/tests/fixtures/flow-match-schedule.json"
target.parent.mkdir(parents=True, exist_ok=True)
target.write_text(json.dumps({"generator": "tools/sampler-fixtures/generate.py", "numpy": np.__version__, "cases": out}, indent=1) + "\n")
print(f"wrote {target} ({len(out)} cases)")
