"""Figures, one module per lesson topic (``plots/lrn.py`` draws lesson 04's, beside
``experiments/lrn.py`` and ``exercises/lrn.py``), and the helpers they share in
:mod:`~alexnet_course.plots.shared`. Each function returns its figure."""

from .shared import image_grid, layer_labels, show_filters, to_displayable
from .training import LivePlot, plot_confusion, plot_history

__all__ = ["image_grid", "to_displayable", "show_filters", "layer_labels", "plot_history",
           "plot_confusion", "LivePlot"]
