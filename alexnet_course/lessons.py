"""The map of the course: every lesson, its notebook, and one line on what it computes.

One table serves the tour (lesson 00), the book's introduction and the README, so the three
cannot drift apart (a test holds the README and the notebooks to it):

>>> len(LESSONS), LESSONS[0].notebook, LESSONS[-1].number
(13, '00_setup_and_tour.ipynb', '12')
>>> lesson("04").title, lesson("04").topic
('Local response normalization', 'lrn')

A lesson's code carries its topic as its name wherever it has some: lesson 04's experiment is
``experiments/lrn.py``, its figures ``plots/lrn.py``, its exercises ``exercises/lrn.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Lesson", "LESSONS", "lesson", "table"]


@dataclass(frozen=True)
class Lesson:
    number: str  # two digits, the notebook's prefix
    stem: str  # the notebook's name without number and extension
    topic: str  # the one name of its code in every tree: experiments/, plots/, exercises/
    title: str
    summary: str  # what the learner computes, in one line

    @property
    def notebook(self) -> str:
        return f"{self.number}_{self.stem}.ipynb"


LESSONS: tuple[Lesson, ...] = (
    Lesson("00", "setup_and_tour", "tour", "Setup and tour",
           "versions, device, profile, the real data, the map of the course"),
    Lesson("01", "output_size_arithmetic", "arithmetic", "Output-size arithmetic",
           "⌊(n + 2p − d(k−1) − 1)/s⌋ + 1, AlexNet traced, the 224 vs 227 puzzle, an explorer"),
    Lesson("02", "counting_parameters_and_compute", "counting", "Counting parameters and compute",
           "where AlexNet's parameters and multiply-adds live, every quoted total explained"),
    Lesson("03", "relu_vs_tanh", "relu_vs_tanh", "ReLU vs tanh",
           "saturation and gradients; the paper's Figure 1 experiment, small, over seeds"),
    Lesson("04", "local_response_normalization", "lrn", "Local response normalization",
           "the paper's LRN from scratch, PyTorch's alpha trap, an explorer, a measured ablation"),
    Lesson("05", "overlapping_pooling", "pooling", "Overlapping pooling",
           "3/2 vs 2/2 pooling: sizes, overlap on a real photo, a paired ablation over seeds"),
    Lesson("06", "dropout", "dropout", "Dropout",
           "inverted dropout from scratch, tested statistically; the over-fitting gap; an ensemble"),
    Lesson("07", "data_augmentation", "augmentation", "Data augmentation",
           "256→224 crops, flips, PCA colour on real photos, ten-crop testing, measured"),
    Lesson("08", "building_alexnet", "building", "Building AlexNet",
           "two towers, one tower, torchvision's; paper initialisation; a real photo through it"),
    Lesson("09", "training_alexnet", "training", "Training AlexNet",
           "a real run: live curves, top-1/top-5, confusion, Fig. 3 kernels, Fig. 4 neighbours"),
    Lesson("10", "alexnet_among_its_relatives", "relatives", "AlexNet among its relatives",
           "LeNet-5, ZFNet, VGG-11/16 beside AlexNet: parameters, compute, speed, accuracy"),
    Lesson("11", "spot_the_mistake", "mistakes", "Spot the mistake",
           "the errors of widely read write-ups (and of the papers), each tested and corrected"),
    Lesson("12", "two_gpus_then_and_now", "parallel", "Two GPUs, then and now",
           "the 2012 two-GPU split rebuilt and checked; data-parallel training with torchrun"),
)


def lesson(number: str) -> Lesson:
    """The lesson numbered ``number`` ("00" to "12")."""
    for item in LESSONS:
        if item.number == number:
            return item
    raise ValueError(f"no lesson {number!r}: the lessons are numbered 00 to {LESSONS[-1].number}")


def table():
    """The map as a pandas DataFrame indexed by lesson number (for the tour)."""
    import pandas as pd

    rows = [{"lesson": item.number, "title": item.title, "you will compute": item.summary,
             "notebook": item.notebook} for item in LESSONS]
    return pd.DataFrame(rows).set_index("lesson")
