"""The exact lessons hold on the slower CI machines too.

Lessons 01, 02, 08 and 11 print shapes, counts and comparisons that nbval checks strictly. Their
outputs must not rest on float bit-equality, the CPU's kernels or the thread count: a 2-core AMD
EPYC without AVX-512 computes some convolutions with other oneDNN algorithms, which round
differently. ``ONEDNN_MAX_CPU_ISA=AVX2`` and one thread make any x86 machine compute the way
that one does; the committed outputs must still match.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXACT_LESSONS = ["01_output_size_arithmetic", "02_counting_parameters_and_compute",
                 "08_building_alexnet", "11_spot_the_mistake"]


def test_exact_lessons_match_their_outputs_with_avx2_kernels_on_one_thread():
    env = {**os.environ, "ONEDNN_MAX_CPU_ISA": "AVX2", "OMP_NUM_THREADS": "1",
           "ALEXNET_COURSE_PROFILE": "smoke"}
    env.pop("PYTEST_XDIST_WORKER", None)
    notebooks = [f"notebooks/{name}.ipynb" for name in EXACT_LESSONS]
    done = subprocess.run([sys.executable, "-m", "pytest", "--nbval", "-q", "-p", "no:cacheprovider",
                           "-p", "no:xdist", *notebooks], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
