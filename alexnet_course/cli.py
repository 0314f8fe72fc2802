"""The ``alexnet-course`` command.

``alexnet-course info`` prints versions, device, profile and where the data was found;
``alexnet-course data`` verifies every data file's checksum. Bad arguments exit with
status 2 and a usage message (argparse's convention).
"""

from __future__ import annotations

import argparse
import platform
import sys

from . import __version__, data, devices, profiles


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
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except (FileNotFoundError, data.DataError, ValueError, RuntimeError) as err:
        print(f"alexnet-course: error: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
