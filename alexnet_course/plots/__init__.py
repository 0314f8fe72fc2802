"""Figures the lessons share, one module per topic; each function returns its figure."""

from .images import image_grid, to_displayable
from .training import LivePlot, plot_confusion, plot_history, show_filters

__all__ = ["image_grid", "to_displayable", "plot_history", "plot_confusion", "show_filters",
           "LivePlot"]
