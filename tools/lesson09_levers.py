"""Lesson 09's ``cpu`` run against the levers that could make it shorter, trained in one run.

    ONEDNN_MAX_CPU_ISA=AVX2 python -m tools.lesson09_levers --out results/lesson09_levers_cpu_avx2.json

Trains the small AlexNet on all 60,000 Fashion-MNIST images, scored on all 10,000 test images
after every epoch, with the recipe lesson 09 used before (8 epochs, NCHW) and with each
candidate: ``channels_last`` (what ``train.device_options`` now turns on for a CPU) and fewer
epochs of the same one-cycle schedule. Each run's wall time (training and evaluations) is
printed as a ratio to the old recipe's, measured in the same process one after the other, with
its final test top-1. ``--seeds`` repeats every run for more seeds.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import time
from pathlib import Path

import torch

import alexnet_course as ac
from alexnet_course import train
from alexnet_course.models import get_model

BEFORE = "before: 8 epochs, NCHW"
RUNS = {BEFORE: {"epochs": 8, "channels_last": False},
        "channels_last, 8 epochs": {"epochs": 8, "channels_last": True},
        "channels_last, 6 epochs": {"epochs": 6, "channels_last": True},
        "channels_last, 5 epochs": {"epochs": 5, "channels_last": True},
        "channels_last, 28 px, 6 epochs": {"epochs": 6, "channels_last": True, "image_size": 28},
        "channels_last, batch 64, 5 epochs": {"epochs": 5, "channels_last": True, "batch_size": 64},
        "channels_last, 28 px, batch 64, 6 epochs": {"epochs": 6, "channels_last": True, "image_size": 28,
                                                     "batch_size": 64},
        "channels_last, 28 px, batch 64, 5 epochs": {"epochs": 5, "channels_last": True, "image_size": 28,
                                                     "batch_size": 64}}


def train_once(overrides: dict, seed: int, train_data, test_data) -> dict:
    prof = ac.profile("cpu")
    overrides = {"batch_size": prof.batch_size, **overrides}
    image_size = overrides.pop("image_size", prof.image_size)
    config = train.recipe("modern", seed=seed, **overrides)
    ac.seed_everything(seed)
    model = get_model(prof.model, num_classes=10, in_channels=1)
    began = time.perf_counter()
    history = train.fit(model, train_data, test_data, config, image_size=image_size,
                        device="cpu", progress=False)
    seconds = time.perf_counter() - began
    return {"seed": seed, "epochs": config.epochs, "channels_last": config.channels_last,
            "image_size": image_size, "batch_size": config.batch_size,
            "seconds": seconds, "test_top1": history.last("test_top1"),
            "per_epoch_test_top1": history.column("test_top1"),
            "train_images_per_s": [row["train_images_per_s"] for row in history.epochs]}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path)
    parser.add_argument("--runs", nargs="*", default=list(RUNS), choices=list(RUNS))
    parser.add_argument("--seeds", type=int, nargs="*", default=[0])
    parser.add_argument("--no-before", action="store_true",
                        help="skip the before run (accuracy trials; no time ratios)")
    args = parser.parse_args(argv)
    prof = ac.profile("cpu")
    train_data, test_data = ac.data.fashion_mnist("train", prof), ac.data.fashion_mnist("test", prof)
    rows = []
    for seed in args.seeds:
        for name in ([] if args.no_before else [BEFORE]) + [r for r in args.runs if r != BEFORE]:
            row = {"run": name, **train_once(RUNS[name], seed, train_data, test_data)}
            rows.append(row)
            before = next((r for r in rows if r["run"] == BEFORE and r["seed"] == seed), None)
            row["time_ratio_to_before"] = row["seconds"] / before["seconds"] if before else None
            ratio = f"×{row['time_ratio_to_before']:.3f}" if before else ""
            print(f"seed {seed} {name:34s} {row['seconds']:7.1f} s  {ratio}  "
                  f"test top-1 {row['test_top1']:.4f}", flush=True)
    if args.out:
        args.out.write_text(json.dumps({
            "what": "lesson 09's cpu-profile run (alexnet-small, all of Fashion-MNIST at 32 px, modern "
                    "recipe, batch 128) before and with each lever, one process, runs one after another",
            "measured": datetime.date.today().isoformat(),
            "hardware": f"{platform.machine()}, {torch.get_num_threads()} threads",
            "versions": {"python": platform.python_version(), "torch": torch.__version__},
            "onednn_max_cpu_isa": os.environ.get("ONEDNN_MAX_CPU_ISA"),
            "runs": rows}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
