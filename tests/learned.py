"""The bar every trained variant of an experiment must clear at the smoke budget.

Ten classes: guessing scores 10 % top-1. A trained variant must clear it by 10 points on the
smoke budget's 200 test images (where chance has a spread of about 2 points), or the
experiment measures nothing.
"""

CHANCE, MARGIN = 0.10, 0.10


def assert_every_run_learned(accuracies: dict) -> None:
    """``accuracies``: test top-1 (a fraction) by run; every one must beat chance by the margin."""
    assert accuracies, "no runs"
    failed = {run: a for run, a in accuracies.items() if not a >= CHANCE + MARGIN}
    assert not failed, f"no better than {CHANCE:.0%} + {MARGIN:.0%}: {failed} (all: {accuracies})"
