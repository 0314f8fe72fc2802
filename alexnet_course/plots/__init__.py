"""Figures the lessons share, one module per topic; each function returns its figure."""

from .images import image_grid, to_displayable
from .training import plot_history

__all__ = ["image_grid", "to_displayable", "plot_history"]
