"""The ``alexnet-course`` command.

``alexnet-course info`` prints versions, device, profile and where the data was found;
``alexnet-course data`` verifies every data file's checksum; ``alexnet-course train``
trains a model of the registry on Fashion-MNIST (or your own image folders);
``alexnet-course experiment NAME`` re-runs a lesson's measured experiment and prints its
verdict; ``alexnet-course bench train-step`` measures training throughput. Bad arguments exit
with status 2 and a usage message (argparse's convention).
"""

from __future__ import annotations

import argparse
import platform
import sys

from . import __version__, data, devices, profiles
from .seeding import seed_everything


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


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, not {value}")
    return value


def _train(args: argparse.Namespace) -> int:
    import time
    from dataclasses import replace

    from . import models, train
    from .parallel import data_parallel

    prof = profiles.profile(args.profile)
    if args.image_folder:
        train_data = data.image_folder(f"{args.image_folder}/train", prof, image_size=args.image_size)
        test_data = data.image_folder(f"{args.image_folder}/test", prof, image_size=args.image_size)
        classes = train_data.classes
    else:
        train_data, test_data = data.fashion_mnist("train", prof), data.fashion_mnist("test", prof)
        classes = data.FASHION_MNIST_CLASSES
    model_name = args.model or prof.model
    native = prof.image_size if model_name == prof.model else models.native_input_size(model_name)[-1]
    image_size = args.image_size or native
    config = replace(train.recipe(args.recipe), epochs=args.epochs or prof.epochs,
                     batch_size=args.batch_size or prof.batch_size, amp=args.amp,
                     channels_last=args.channels_last, compile=args.compile, seed=args.seed)
    if args.lr is not None:
        config = replace(config, lr=args.lr)
    seed_everything(args.seed)
    model = models.get_model(model_name, num_classes=len(classes), in_channels=1)
    dev = devices.device(args.device)
    # Under torchrun every process runs this function; DDP trains, rank 0 alone talks.
    launch = data_parallel.Launch.from_env()
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
    from . import bench

    dev = devices.device(args.device)
    if args.which == "compare":  # lesson 10's throughput columns, as ratios to AlexNet
        print(bench.format_compare(bench.compare_bench(dev, steps=args.steps, warmup=args.warmup), dev))
        return 0
    rows = bench.train_step_bench(dev, steps=args.steps, warmup=args.warmup)
    print(bench.format_rows(rows, dev))
    return 0


def _verdicts(name: str, prof: profiles.Profile, dev) -> list[str]:
    """Run one lesson experiment at the profile's size; its conclusions, as sentences."""
    from .experiments import augmentation, dropout, lrn, pooling, relu_vs_tanh

    if name == "relu-vs-tanh":
        return [relu_vs_tanh.relu_vs_tanh(prof, device=dev, progress=True).verdict()]
    if name == "lrn":
        result = lrn.lrn_ablation(prof, device=dev, progress=True)
        return [result.verdict(norm) for norm in lrn.NORMS[1:]]
    if name == "pooling":
        return [pooling.overlapping_pooling(prof, device=dev).verdict()]
    if name == "augmentation":
        return [augmentation.crop_and_flip(prof, device=dev, progress=True).verdict()]
    return [dropout.overfitting(prof, device=dev).verdict()]


def _experiment(args: argparse.Namespace) -> int:
    prof = profiles.profile(args.profile)
    dev = devices.device(args.device)
    print(f"experiment {args.name}, profile {prof.name}, {devices.describe(dev)}")
    for sentence in _verdicts(args.name, prof, dev):
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

    fit = commands.add_parser("train", help="train a model on Fashion-MNIST or your own images")
    fit.add_argument("--model", choices=list_models(), help="default: the profile's")
    fit.add_argument("--dataset", default="fashion-mnist", choices=["fashion-mnist"],
                     help="the built-in data set (use --image-folder for your own)")
    fit.add_argument("--image-folder", help="folder with train/CLASS/*.jpg and test/CLASS/*.jpg")
    fit.add_argument("--profile", choices=list(profiles.PROFILES),
                     help="sizes: samples, epochs, batch (default: ALEXNET_COURSE_PROFILE)")
    fit.add_argument("--recipe", default="modern", choices=list(RECIPES))
    fit.add_argument("--epochs", type=_positive, help="default: the profile's")
    fit.add_argument("--batch-size", type=_positive, help="default: the profile's")
    fit.add_argument("--lr", type=float, help="peak learning rate (default: the recipe's)")
    fit.add_argument("--image-size", type=_positive,
                     help="default: the profile's for its model, else the model's native size")
    fit.add_argument("--checkpoint", metavar="DIR", help="save last.pt + history.json every epoch")
    fit.add_argument("--resume", action="store_true", help="continue the run in --checkpoint")
    fit.add_argument("--amp", choices=["bf16", "fp16"], help="mixed precision")
    fit.add_argument("--channels-last", action="store_true")
    fit.add_argument("--compile", action="store_true", help="torch.compile the model")
    fit.add_argument("--device", help="cuda, mps or cpu (default: the best available)")
    fit.add_argument("--seed", type=int, default=0)
    fit.add_argument("--no-progress", action="store_true", help="no progress bar")
    fit.set_defaults(run=_train)

    lesson = commands.add_parser("experiment", help="re-run a lesson's measured experiment")
    lesson.add_argument("name", choices=["relu-vs-tanh", "lrn", "pooling", "dropout",
                                         "augmentation"])
    lesson.add_argument("--profile", choices=list(profiles.PROFILES),
                        help="sizes (default: ALEXNET_COURSE_PROFILE)")
    lesson.add_argument("--device", help="cuda, mps or cpu (default: the best available)")
    lesson.set_defaults(run=_experiment)

    timing = commands.add_parser("bench", help="throughput benchmarks (ratios, same run)")
    timing.add_argument("which", choices=["train-step", "compare"])
    timing.add_argument("--steps", type=_positive, default=5, help="timed steps per loop")
    timing.add_argument("--warmup", type=_positive, default=2, help="untimed steps first")
    timing.add_argument("--device", help="cuda, mps or cpu (default: the best available)")
    timing.set_defaults(run=_bench)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "resume", False) and not args.checkpoint:
        parser.error("--resume needs --checkpoint DIR")
    try:
        return args.run(args)
    except (FileNotFoundError, data.DataError, ValueError, RuntimeError) as err:
        print(f"alexnet-course: error: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
