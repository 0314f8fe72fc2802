"""The ``alexnet-course`` command.

``alexnet-course info`` prints versions, device, profile and where the data was found;
``alexnet-course data`` verifies every data file's checksum; ``alexnet-course train``
trains a model of the registry on Fashion-MNIST, Imagenette's colour images (``--dataset
imagenette``) or your own image folders;
``alexnet-course experiment NAME`` re-runs a lesson's measured experiment and prints its
verdict; ``alexnet-course bench train-step`` measures training throughput; ``alexnet-course
bench gpu --out DIR`` writes the GPU record (:mod:`alexnet_course.gpu_record`).

Every argument, and the checkpoint folder, is checked before any data is loaded. Bad
arguments exit with status 2 (argparse's convention) and one ``alexnet-course: error:`` line;
other failures exit 1 with one line; Ctrl-C (or SIGTERM) exits 130, saying how to resume.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shlex
import signal
import sys
from pathlib import Path

from . import __version__, data, devices, profiles
from .checkpoint import RunFolderError, run_folder
from .experiments import EXPERIMENTS
from .seeding import seed_everything


class UsageError(Exception):
    """An argument that parses but cannot be used here; exits 2, like argparse's own errors."""


def _info(args: argparse.Namespace) -> int:
    import torch
    import torchvision

    prof = profiles.profile(args.profile)
    print(f"alexnet_course {__version__}  python {platform.python_version()}  "
          f"torch {torch.__version__}  torchvision {torchvision.__version__}")
    print(f"device   {devices.describe(devices.device())}")
    print(f"profile  {prof}")
    print(f"data     {data.display_path(data.locate_fashion_mnist())}")
    return 0


def _data(args: argparse.Namespace) -> int:
    folder = data.locate_fashion_mnist(args.root)
    for (split, kind), spec in data.FASHION_MNIST_FILES.items():
        array = data.read_idx(data.find_idx_file(folder, spec.name), spec)
        print(f"ok  {split:5s} {kind:6s} {array.shape}  sha256 {spec.sha256[:12]}…")
    for name in data.PHOTOS:
        print(f"ok  photo {name:9s} {data.photo(name).shape}")
    print(f"all files verified in {data.display_path(folder)}")
    return 0


def _checked(text: str, kind: type, ok, what: str):
    """``text`` as ``kind`` when ``ok(value)``; otherwise argparse's error, saying ``what``
    was expected (raising ArgumentTypeError keeps the function's name out of the message)."""
    try:
        value = kind(text)
    except ValueError:
        value = None
    if value is None or not ok(value):
        raise argparse.ArgumentTypeError(f"must be {what}, not {text!r}")
    return value


def positive_int(text: str) -> int:
    return _checked(text, int, lambda v: v >= 1, "a positive integer")


def positive_float(text: str) -> float:
    return _checked(text, float, lambda v: math.isfinite(v) and v > 0, "a positive number")


def random_seed(text: str) -> int:
    return _checked(text, int, lambda v: 0 <= v < 2**32, "an integer from 0 to 2**32 - 1")


def _device(name: str | None):
    try:
        return devices.device(name)
    except RuntimeError as err:  # unknown name, or a device this machine lacks
        raise UsageError(f"--device {name}: {err}") from None


def _check_image_folder(folder: str | None) -> None:
    for split in ("train", "test") if folder else ():
        if not (Path(folder) / split).is_dir():
            raise UsageError(f"--image-folder {folder} has no {split}/ folder; it needs "
                             "train/CLASS/*.jpg and test/CLASS/*.jpg")


def _check_dataset(args: argparse.Namespace) -> None:
    """Imagenette's options fit together, and (unless it is to be downloaded) its files are
    there: checked on the disk alone, before anything else happens."""
    if args.dataset == "imagenette" and args.image_folder:
        raise UsageError("--image-folder and --dataset imagenette exclude each other")
    if args.download and args.dataset != "imagenette":
        raise UsageError("--download fetches Imagenette only (the course never downloads Fashion-MNIST)")
    if args.dataset == "imagenette" and not args.download:
        from . import imagenette

        imagenette.locate(args.data_root, "train")
        imagenette.locate(args.data_root, "test")


def _train(args: argparse.Namespace) -> int:
    from . import train
    from .parallel import data_parallel

    prof = profiles.profile(args.profile)
    dev = _device(args.device)
    _check_image_folder(args.image_folder)
    _check_dataset(args)
    launch = data_parallel.Launch.from_env()
    # Rank 0 owns the checkpoint folder: claimed (written to, locked, checked) before any data
    # is loaded, and held until the run ends; fit finds it claimed already.
    folder = args.checkpoint if launch.rank == 0 else None
    try:
        with run_folder(folder, resume=args.resume, must_resume=args.resume):
            return _training_run(args, prof, dev, launch)
    except train.Interrupted as stop:
        if launch.rank == 0:
            print(f"alexnet-course: {_how_to_continue(stop, args)}", file=sys.stderr)
        return 130


def _how_to_continue(stop, args: argparse.Namespace) -> str:
    """What an interrupted run says: which epoch it finished, and the command that goes on."""
    if stop.checkpoint is None:
        return f"interrupted after epoch {stop.epoch}; nothing was saved (no --checkpoint)"
    if stop.epoch == 0:  # no checkpoint was written: the same command starts the run again
        return f"interrupted during epoch 1; start again with: alexnet-course {shlex.join(args.argv)}"
    again = args.argv if "--resume" in args.argv else [*args.argv, "--resume"]
    return f"interrupted after epoch {stop.epoch}; resume with: alexnet-course {shlex.join(again)}"


def _training_run(args: argparse.Namespace, prof: profiles.Profile, dev, launch) -> int:
    import time
    from dataclasses import replace

    from . import models, train
    from .parallel import data_parallel

    model_name = args.model or prof.model
    native = prof.image_size if model_name == prof.model else models.native_input_size(model_name)[-1]
    image_size = args.image_size or native
    channels = 1
    if args.dataset == "imagenette":  # colour, cropped as the paper did: at least 224 px
        from . import imagenette

        image_size, channels = args.image_size or max(imagenette.PAPER_CROP, native), 3
        train_data, test_data, _ = imagenette.splits(
            root=args.data_root, download=args.download, crop=image_size,
            train_samples=prof.train_samples, test_samples=prof.test_samples, seed=args.seed)
        classes = train_data.classes
    elif args.image_folder:
        train_data = data.image_folder(f"{args.image_folder}/train", prof, image_size=args.image_size)
        test_data = data.image_folder(f"{args.image_folder}/test", prof, image_size=args.image_size,
                                      classes=train_data.classes)  # same labels, or refused
        classes = train_data.classes
    else:
        train_data = data.fashion_mnist("train", prof, root=args.data_root)
        test_data = data.fashion_mnist("test", prof, root=args.data_root)
        classes = data.FASHION_MNIST_CLASSES
    chosen = train.device_options(dev) if args.device_options else {}
    config = replace(train.recipe(args.recipe), epochs=args.epochs or prof.epochs,
                     batch_size=args.batch_size or prof.batch_size,
                     amp=args.amp or chosen.get("amp"),
                     channels_last=args.channels_last or chosen.get("channels_last", False),
                     compile=args.compile or chosen.get("compile", False), seed=args.seed)
    if args.lr is not None:
        config = replace(config, lr=args.lr)
    seed_everything(args.seed)
    model = models.get_model(model_name, num_classes=len(classes), in_channels=channels)
    # Under torchrun every process runs this function; DDP trains, rank 0 alone talks.
    fit = data_parallel.fit_distributed if data_parallel.launched_by_torchrun() else train.fit
    say = print if launch.rank == 0 else (lambda *_: None)
    say(f"training {model_name} on {len(train_data):,} images at {image_size} px, "
        f"{devices.describe(dev)} × {launch.world_size} process(es), profile {prof.name}, "
        f"recipe {args.recipe}")
    began = time.perf_counter()
    history = fit(model, train_data, test_data, config, image_size=image_size, device=dev,
                  checkpoint_dir=args.checkpoint, resume=args.resume,
                  progress=not args.no_progress and launch.rank == 0)
    last = history.epochs[-1]
    say(f"done in {time.perf_counter() - began:.0f} s wall: epoch {last['epoch']}, "
        f"test top-1 {last['test_top1']:.4f}, top-5 {last['test_top5']:.4f} on "
        f"{len(test_data):,} images; best top-1 {max(history.column('test_top1')):.4f}; "
        f"{last['train_images_per_s']:.0f} training images/s")
    if args.checkpoint:
        say(f"checkpoint: {args.checkpoint}/{train.CHECKPOINT_NAME}")
    return 0


def _bench(args: argparse.Namespace) -> int:
    import torch

    from . import bench, throughput

    dev = _device(args.device)
    if args.which == "gpu":
        return _gpu_record(args, dev)
    if args.which == "compare":  # lesson 10's throughput columns, as ratios to AlexNet
        rows = throughput.compare_bench(dev, steps=args.steps, warmup=args.warmup)
        print(throughput.format_compare(rows, dev))
        return 0
    try:
        bench.images_needed(args.steps, args.warmup, bench.default_cases(dev), args.repeats)
    except ValueError as err:
        raise UsageError(f"--steps {args.steps} --warmup {args.warmup} --repeats {args.repeats}: "
                         f"{err}") from None
    if args.which == "options":
        options = bench.OPTIONS if args.compile else bench.OPTIONS[:3]
        rows = bench.options_bench(dev, args.steps, args.warmup, repeats=args.repeats, options=options)
    else:
        rows = bench.train_step_bench(dev, steps=args.steps, warmup=args.warmup, repeats=args.repeats)
    print(bench.format_rows(rows, dev))
    if args.out:
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps({"device": devices.describe(dev), "processor": devices.processor(),
                                   "onednn_max_cpu_isa": os.environ.get("ONEDNN_MAX_CPU_ISA"),
                                   "torch": torch.__version__,
                                   "command": f"alexnet-course {shlex.join(args.argv)}",
                                   "cases": rows}, indent=1) + "\n")
        print(f"written: {out}")
    return 0


def _gpu_record(args: argparse.Namespace, dev) -> int:
    from dataclasses import replace

    from . import bench, gpu_record

    if not args.out:
        raise UsageError("bench gpu writes its record into a folder: name it with --out DIR "
                         "(make gpu-results uses results/)")
    sizes = gpu_record.TINY if args.tiny else gpu_record.FULL
    sizes = replace(sizes, seconds=args.budget) if args.budget else sizes
    gpu_record.check_device(dev, sizes)  # before d2l's imports: a refusal comes at once
    try:  # d2l's own code where it imports (it needs scipy, pandas, matplotlib); else the transcription
        from .experiments import relatives

        d2l_run = relatives.run_d2l if relatives.d2l_available() is None else None
    except ImportError:
        d2l_run = None
    records = gpu_record.record(args.out, sizes=sizes, device=dev, peak=bench.peak_flops(dev),
                                d2l_run=d2l_run, command=f"alexnet-course {shlex.join(args.argv)}")
    print(gpu_record.format_summary(records))
    failed = [name for name, record in records.items() if "error" in record]
    if failed:
        print(f"alexnet-course: error: part of the record failed: see {', '.join(failed)}",
              file=sys.stderr)
    return 1 if failed else 0


def _experiment(args: argparse.Namespace) -> int:
    prof = profiles.profile(args.profile)
    dev = _device(args.device)
    print(f"experiment {args.name}, profile {prof.name}, {devices.describe(dev)}")
    from .experiments import verdicts

    for sentence in verdicts(args.name, prof, dev):
        print(sentence)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="alexnet-course", description="AlexNet, taken apart")
    parser.add_argument("--version", action="version", version=__version__)
    commands = parser.add_subparsers(dest="command", required=True)
    info = commands.add_parser("info", help="versions, device, profile and data location")
    info.add_argument("--profile", choices=list(profiles.PROFILES))
    info.set_defaults(run=_info)
    check = commands.add_parser("data", help="verify the offline data files")
    check.add_argument("--root", help="folder holding the Fashion-MNIST idx files")
    check.set_defaults(run=_data)

    from .models import list_models
    from .train import RECIPES

    fit = commands.add_parser("train", help="train a model on Fashion-MNIST, Imagenette or your own images")
    fit.add_argument("--model", choices=list_models(), help="default: the profile's")
    fit.add_argument("--dataset", default="fashion-mnist", choices=["fashion-mnist", "imagenette"],
                     help="the built-in data set (use --image-folder for your own); imagenette: "
                          "10 ImageNet classes in colour, at 224 px with the paper's augmentation")
    fit.add_argument("--data-root", metavar="DIR",
                     help="folder holding the data set (the idx files, or imagenette2-320/); "
                          "default: $ALEXNET_COURSE_DATA, else the course's data/")
    fit.add_argument("--download", action="store_true",
                     help="fetch Imagenette into the data folder if it is absent (needs the internet)")
    fit.add_argument("--image-folder", metavar="DIR",
                     help="folder with train/CLASS/*.jpg and test/CLASS/*.jpg")
    fit.add_argument("--profile", choices=list(profiles.PROFILES),
                     help="sizes: samples, epochs, batch (default: ALEXNET_COURSE_PROFILE)")
    fit.add_argument("--recipe", default="modern", choices=list(RECIPES))
    fit.add_argument("--epochs", type=positive_int, metavar="N", help="default: the profile's")
    fit.add_argument("--batch-size", type=positive_int, metavar="N", help="default: the profile's")
    fit.add_argument("--lr", type=positive_float, help="peak learning rate (default: the recipe's)")
    fit.add_argument("--image-size", type=positive_int, metavar="PX",
                     help="default: the profile's for its model, else the model's native size")
    fit.add_argument("--checkpoint", metavar="DIR", help="save last.pt + history.json every epoch")
    fit.add_argument("--resume", action="store_true", help="continue the run in --checkpoint")
    fit.add_argument("--amp", choices=["bf16", "fp16"], help="mixed precision")
    fit.add_argument("--channels-last", action="store_true")
    fit.add_argument("--compile", action="store_true", help="torch.compile the model")
    fit.add_argument("--device-options", action="store_true",
                     help="the options measured fastest on this device (train.device_options, "
                          "as lesson 09 trains): channels_last; on CUDA also autocast and compile")
    fit.add_argument("--device", help="cuda, mps or cpu (default: the best available)")
    fit.add_argument("--seed", type=random_seed, default=0, metavar="N")
    fit.add_argument("--no-progress", action="store_true", help="no progress bar")
    fit.set_defaults(run=_train)

    lesson = commands.add_parser("experiment", help="re-run a lesson's measured experiment")
    lesson.add_argument("name", choices=list(EXPERIMENTS))
    lesson.add_argument("--profile", choices=list(profiles.PROFILES),
                        help="sizes (default: ALEXNET_COURSE_PROFILE)")
    lesson.add_argument("--device", help="cuda, mps or cpu (default: the best available)")
    lesson.set_defaults(run=_experiment)

    timing = commands.add_parser("bench", help="throughput benchmarks (ratios, same run)")
    timing.add_argument("which", choices=["train-step", "options", "compare", "gpu"],
                        help="train-step: the course's loop against bare ones; options: each of "
                             "its options alone; gpu: the GPU record (needs CUDA, or --tiny), "
                             "written under --out")
    timing.add_argument("--steps", type=positive_int, default=5, metavar="N",
                        help="timed steps per window")
    timing.add_argument("--repeats", type=positive_int, default=5, metavar="N",
                        help="train-step, options: timed windows per loop (median and spread)")
    timing.add_argument("--compile", action="store_true",
                        help="options: also time torch.compile (compiling takes minutes on a CPU)")
    timing.add_argument("--warmup", type=positive_int, default=2, metavar="N",
                        help="untimed steps first")
    timing.add_argument("--device", help="cuda, mps or cpu (default: the best available)")
    timing.add_argument("--out", metavar="PATH",
                        help="gpu: the folder its JSON files and PNG go to; train-step, options: "
                             "a JSON file for the figures")
    timing.add_argument("--tiny", action="store_true",
                        help="gpu: the same code at toy sizes, anywhere (no record)")
    timing.add_argument("--budget", type=positive_float, metavar="SECONDS",
                        help="gpu: seconds for the whole record (default 450; tiny 300)")
    timing.set_defaults(run=_bench)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parser.parse_args(argv)
    args.argv = argv  # an interrupted run prints the command that resumes it
    if getattr(args, "resume", False) and not args.checkpoint:
        parser.error("--resume needs --checkpoint DIR")
    # SIGTERM (a scheduler, `kill`) stops a run as Ctrl-C does: checkpoint kept, exit 130.
    sigterm = signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        return args.run(args)
    except (UsageError, RunFolderError) as err:
        print(f"alexnet-course: error: {err}", file=sys.stderr)
        return 2
    except (OSError, data.DataError, ValueError, RuntimeError) as err:
        print(f"alexnet-course: error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("alexnet-course: interrupted", file=sys.stderr)
        return 130
    finally:
        signal.signal(signal.SIGTERM, sigterm)


if __name__ == "__main__":
    raise SystemExit(main())
