"""Self-checking exercises: every ``check_*`` recomputes the answer and says what is off.

One module per topic (``tour``, ``arithmetic``, ``counting``, ...); ``core`` holds the
shared :class:`Feedback` and :func:`check_number`.
"""

from .core import Feedback, check_number
from .tour import check_idx_file_bytes, check_smoke_fraction
from .training import check_paper_steps, check_smoothing_floor_1000, check_steps_per_epoch

__all__ = ["Feedback", "check_number", "check_idx_file_bytes", "check_smoke_fraction",
           "check_paper_steps", "check_smoothing_floor_1000", "check_steps_per_epoch"]
