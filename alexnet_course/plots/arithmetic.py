"""Figures of lesson 01: a window sliding over a padded input, and receptive fields.

``plot_sliding_window`` draws the picture the output-size formula is read from: the
padded input, where the kernel's taps land (dilation gaps visible), every window
position along one row, the pixels no window ever reads, and the output grid.
``window_layout`` computes that picture's geometry and is checked against
``arithmetic.conv_output_size`` / ``pool_output_size``:

>>> layout = window_layout(8, 3, stride=2, padding=1)
>>> layout.starts, layout.size, layout.never_read
((0, 2, 4, 6), 4, (9,))
>>> size_formula(8, 3, stride=2, padding=1)
'o = ⌊(8 + 2·1 − 1·(3 − 1) − 1) / 2⌋ + 1 = ⌊7/2⌋ + 1 = 4'
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import patheffects
from matplotlib.collections import PatchCollection
from matplotlib.colors import to_rgb
from matplotlib.patches import Patch, Rectangle

from alexnet_course.arithmetic import ReceptiveField, conv_output_size, pool_output_size

__all__ = ["WindowLayout", "window_layout", "size_formula", "plot_sliding_window",
           "plot_receptive_fields"]

# Colours: one per role, shared by every panel and the legend.
INPUT = "#ffffff"
PADDING = "#cfcfcf"
OUTSIDE = "#f2f2f2"  # beyond the padded input: only a ceil-mode pool's last window reaches it
FIRST, FIRST_GAP = "#e6550d", "#fdd0a2"  # the first window's taps, and the pixels its dilation skips
SECOND, SECOND_GAP = "#3182bd", "#c6dbef"
OTHER, OTHER_GAP = "#8c8c8c", "#e3e3e3"
DROPPED = "#de2d26"  # never read, or a window PyTorch drops


@dataclass(frozen=True)
class WindowLayout:
    """Where the windows of one axis land, in padded coordinates (0 = first padding pixel).

    Input pixel ``i`` sits at padded coordinate ``i + padding``.
    """

    n: int
    kernel: int
    stride: int
    padding: int
    dilation: int
    pool: bool
    ceil_mode: bool
    size: int  # number of windows = output size o
    span: int  # pixels one window covers: d*(k-1)+1
    starts: tuple[int, ...]  # first tap of each window PyTorch computes
    dropped: int | None  # start of a ceil-mode window PyTorch drops (it would start in the right padding)
    never_read: tuple[int, ...]  # padded coordinates (inside n + 2p) that no tap of any window reads

    @property
    def padded(self) -> int:
        """Length of the padded input, n + 2p."""
        return self.n + 2 * self.padding

    @property
    def width(self) -> int:
        """Columns a picture needs: the padded input plus any overhang of a ceil-mode window."""
        last = max([*self.starts, self.dropped or 0]) + self.span
        return max(self.padded, last)

    def taps(self, start: int) -> list[int]:
        """Padded coordinates the window starting at ``start`` multiplies (its kernel's taps)."""
        return [start + self.dilation * j for j in range(self.kernel)]


def window_layout(n: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1, *,
                  pool: bool = False, ceil_mode: bool = False) -> WindowLayout:
    """The windows of a convolution (or, with ``pool=True``, a max-pool) along one axis.

    The number of windows is the package's ``conv_output_size`` / ``pool_output_size``;
    impossible settings raise their ``ValueError``. ``ceil_mode`` applies to pools only.

    >>> window_layout(5, 2, stride=2, padding=1, pool=True,
    ...               ceil_mode=True).dropped  # starts in the right padding
    6
    """
    if pool:
        size = pool_output_size(n, kernel, stride, padding, dilation, ceil_mode)
    else:
        size = conv_output_size(n, kernel, stride, padding, dilation)
    span = dilation * (kernel - 1) + 1
    starts = tuple(i * stride for i in range(size))
    dropped = None
    if pool and ceil_mode:
        naive = -(-(n + 2 * padding - span) // stride) + 1  # ceil without PyTorch's last-window rule
        if naive > size:
            dropped = size * stride
    read = {start + dilation * j for start in starts for j in range(kernel)}
    never_read = tuple(c for c in range(n + 2 * padding) if c not in read)
    return WindowLayout(n, kernel, stride, padding, dilation, pool, ceil_mode and pool, size, span,
                        starts, dropped, never_read)


def _number(x: Fraction) -> str:
    return str(x.numerator) if x.denominator == 1 else f"{x.numerator}/{x.denominator}"


def size_formula(n: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1, *,
                 pool: bool = False, ceil_mode: bool = False) -> str:
    """The output-size formula with the numbers filled in, ending in the output size.

    >>> size_formula(110, 3, stride=2, pool=True, ceil_mode=True)  # ZFNet's pool1
    'o = ⌈(110 + 2·0 − 1·(3 − 1) − 1) / 2⌉ + 1 = ⌈107/2⌉ + 1 = 55'
    >>> size_formula(5, 2, stride=2, padding=1, pool=True, ceil_mode=True)  # doctest: +NORMALIZE_WHITESPACE
    'o = ⌈(5 + 2·1 − 1·(2 − 1) − 1) / 2⌉ + 1 = ⌈5/2⌉ + 1 = 4, minus the last window, which would start
     in the right padding: 3'
    """
    layout = window_layout(n, kernel, stride, padding, dilation, pool=pool, ceil_mode=ceil_mode)
    left, right = ("⌈", "⌉") if layout.ceil_mode else ("⌊", "⌋")
    ratio = Fraction(n + 2 * padding - layout.span, stride)
    text = (f"o = {left}({n} + 2·{padding} − {dilation}·({kernel} − 1) − 1) / {stride}{right} + 1"
            f" = {left}{_number(ratio)}{right} + 1 = ")
    if layout.dropped is not None:
        return (text + f"{layout.size + 1}, minus the last window, "
                f"which would start in the right padding: {layout.size}")
    return text + str(layout.size)


# --- the sliding-window picture ------------------------------------------------


def _rect(ax, x, y, w, h, face, edge="#555555", lw=0.4, **kwargs):
    ax.add_patch(Rectangle((x - 0.5, y - 0.5), w, h, facecolor=face, edgecolor=edge, linewidth=lw, **kwargs))


def _base_colour(layout: WindowLayout, c: int) -> str:
    if c >= layout.padded:
        return OUTSIDE
    return INPUT if layout.padding <= c < layout.padding + layout.n else PADDING


def _window_colours(i: int) -> tuple[str, str]:
    return [(FIRST, FIRST_GAP), (SECOND, SECOND_GAP)][i] if i < 2 else (OTHER, OTHER_GAP)


def _gridlines(ax, width: int, height: int, colour: str = "#888888") -> None:
    ax.hlines(np.arange(height + 1) - 0.5, -0.5, width - 0.5, color=colour, linewidth=0.3)
    ax.vlines(np.arange(width + 1) - 0.5, -0.5, height - 0.5, color=colour, linewidth=0.3)
    ax.set_xlim(-0.5, width - 0.5)
    ax.set_ylim(height - 0.5, -0.5)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)


def _draw_grid(ax, layout: WindowLayout, cell: float) -> None:
    """The padded input in 2-D: the first two windows along the top row, every window's centre."""
    w, read = layout.width, set(range(layout.padded)) - set(layout.never_read)
    idx = np.arange(w)
    outside = idx >= layout.padded
    inside = (idx >= layout.padding) & (idx < layout.padding + layout.n)
    colours = np.where((outside[:, None] | outside[None, :])[..., None], to_rgb(OUTSIDE),
                       np.where((inside[:, None] & inside[None, :])[..., None], to_rgb(INPUT),
                                to_rgb(PADDING)))
    top, span = layout.starts[0], layout.span
    rows = layout.taps(top)
    for r in range(top, top + span):  # the first window: its taps, and the pixels its dilation skips
        for c in range(top, top + span):
            colours[r, c] = to_rgb(FIRST if r in rows and c in rows else FIRST_GAP)
    insets = []
    if layout.size > 1:  # the second window's taps; a small square where the first window covers them
        for r in rows:
            for c in layout.taps(layout.starts[1]):
                if c < top + span:
                    insets.append((c, r))
                else:
                    colours[r, c] = to_rgb(SECOND)
    ax.imshow(colours, interpolation="nearest")
    _gridlines(ax, w, w)
    points = cell * 72  # one pixel's side, in points
    if insets:
        xs, ys = zip(*insets)
        ax.scatter(xs, ys, marker="s", s=(0.5 * points) ** 2, color=SECOND, linewidths=0, zorder=3)
        _rect(ax, layout.starts[1], top, span, span, "none", edge=SECOND, lw=1.6, linestyle="--", zorder=4)
    elif layout.size > 1:
        _rect(ax, layout.starts[1], top, span, span, "none", edge=SECOND, lw=1.6, linestyle="--", zorder=4)
    _rect(ax, top, top, span, span, "none", edge=FIRST, lw=2.2, zorder=4)
    # Pixels no window reads: their row or their column is never reached.
    crosses = [(c, r) for r in range(layout.padded) for c in range(layout.padded)
               if r not in read or c not in read]
    if crosses:
        xs, ys = zip(*crosses)
        ax.scatter(xs, ys, marker="x", s=(0.45 * points) ** 2, color=DROPPED, linewidths=0.8, alpha=0.6,
                   zorder=5)
    centres = [s + (span - 1) / 2 for s in layout.starts]
    xx, yy = np.meshgrid(centres, centres)
    ax.scatter(xx.ravel(), yy.ravel(), s=(0.3 * points) ** 2, color="black", zorder=5, linewidths=0)
    ax.set_title(f"padded input {layout.padded} × {layout.padded}", fontsize=9, loc="left")


def _levels(layout: WindowLayout) -> int:
    """Rows needed so that windows sharing a row never overlap: ceil(span / stride)."""
    windows = layout.size + (layout.dropped is not None)
    return max(1, min(windows, -(-layout.span // layout.stride)))


def _draw_strip(ax, layout: WindowLayout, cell: float) -> None:
    """One row of the input, then every window along it, packed into non-overlapping rows."""
    w, levels = layout.width, _levels(layout)
    boxes, faces, hatched = [], [], []
    for c in range(w):
        boxes.append(Rectangle((c - 0.5, -0.5), 1, 1))
        faces.append(_base_colour(layout, c))
    windows = list(enumerate(layout.starts))
    if layout.dropped is not None:
        windows.append((None, layout.dropped))
    labels = []
    for i, start in windows:
        y = 2 + (len(layout.starts) if i is None else i) % levels
        tap, gap = (DROPPED, "#fcbba1") if i is None else _window_colours(i)
        taps = layout.taps(start)
        for c in range(start, start + layout.span):
            boxes.append(Rectangle((c - 0.5, y - 0.5), 1, 0.8))
            faces.append(tap if c in taps else gap)
            if c >= layout.padded:
                hatched.append(Rectangle((c - 0.5, y - 0.5), 1, 0.8))
        labels.append((start + (layout.span - 1) / 2, y - 0.1, "dropped" if i is None else str(i)))
    ax.add_collection(PatchCollection(boxes, facecolors=faces, edgecolors="white", linewidths=0.6))
    ax.add_collection(PatchCollection(boxes[:w], facecolors="none", edgecolors="#555555", linewidths=0.4))
    if hatched:
        ax.add_collection(PatchCollection(hatched, facecolors="none", edgecolors="white", hatch="//",
                                          linewidths=0))
    fontsize = min(7.0, cell * 72 * 0.55)
    for x, y, text in labels:
        ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, color="black", fontweight="bold")
    if layout.never_read:
        ax.scatter(layout.never_read, [0] * len(layout.never_read), marker="x", color=DROPPED,
                   s=(0.5 * cell * 72) ** 2, linewidths=1.2, zorder=3)
    if w <= 24:  # room for the input's pixel numbers
        for c in range(layout.padding, layout.padding + layout.n):
            ax.text(c, 0, str(c - layout.padding), ha="center", va="center", fontsize=7, color="#444444")
    ax.set_xlim(-0.5, w - 0.5)
    ax.set_ylim(2 + levels - 0.3, -0.6)
    ax.set_yticks([0, 2])
    ax.set_yticklabels(["input row", "windows"], fontsize=8)
    ax.set_xticks([])
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    if layout.stride > 1 and layout.size > 1:
        ax.annotate("", xy=(layout.starts[1] - 0.5, 1.2), xytext=(-0.5, 1.2),
                    arrowprops=dict(arrowstyle="->", color=SECOND, lw=1.2))
        ax.text((layout.starts[1] - 1) / 2, 1.05, f"stride {layout.stride}", ha="center", va="bottom",
                fontsize=7, color=SECOND)


def _draw_output(ax, layout: WindowLayout, cells: int) -> None:
    o = layout.size
    colours = np.full((o, o, 3), to_rgb("#fff5eb"))
    colours[0, 0] = to_rgb(FIRST)
    if o > 1:
        colours[0, 1] = to_rgb(SECOND)
    ax.imshow(colours, interpolation="nearest")
    _gridlines(ax, o, o, colour="#555555")
    ax.set_xlim(-0.5, cells - 0.5)
    ax.set_ylim(cells - 0.5, -0.5)
    ax.set_title(f"output {o} × {o}: one cell per window", fontsize=9, loc="left")


def plot_sliding_window(n: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1, *,
                        pool: bool = False, ceil_mode: bool = False, cell: float = 0.3) -> plt.Figure:
    """The picture behind o = ⌊(n + 2p − d(k−1) − 1)/s⌋ + 1 for a square input; returns the figure.

    Top left, the padded input (padding grey) with the first window (orange; the
    pixels its dilation skips pale) and the next one along the row (blue, dashed),
    and a dot at the centre of every window; top right, the output grid, one cell per
    window. Below, one row of the input and every window position along it, numbered
    as the outputs: counting them is counting the formula. Red crosses mark pixels
    no window reads, such as the leftover the floor drops at the right. ``pool=True``
    draws a max-pool (with ``ceil_mode``, a window PyTorch drops is shown in red).
    Impossible settings raise the ``ValueError`` of ``arithmetic``. Deterministic.
    """
    layout = window_layout(n, kernel, stride, padding, dilation, pool=pool, ceil_mode=ceil_mode)
    w, o, levels = layout.width, layout.size, _levels(layout)
    cell = min(cell, 5.5 / w)  # inches per pixel: big grids get smaller cells
    out_cells = max(o, 7)
    grid_w, out_w, strip_h = cell * w, cell * out_cells, max(cell * (levels + 2.2), 1.0)
    margin, gap, legend_h = 0.25, 0.45, 0.55
    header = 1.05 if layout.dropped is None else 1.3  # room for the formula's second line
    fig_w = max(0.85 + grid_w + gap + out_w + margin, 7.5)
    fig_h = header + grid_w + 0.45 + strip_h + legend_h
    fig = plt.figure(figsize=(fig_w, fig_h))
    left = 0.85 / fig_w  # room for the strip's row labels
    grid_ax = fig.add_axes([left, (legend_h + strip_h + 0.45) / fig_h, grid_w / fig_w, grid_w / fig_h])
    out_ax = fig.add_axes([left + (grid_w + gap) / fig_w,
                           (legend_h + strip_h + 0.45 + grid_w - out_w) / fig_h,
                           out_w / fig_w, out_w / fig_h])
    strip_ax = fig.add_axes([left, legend_h / fig_h, grid_w / fig_w, strip_h / fig_h])
    _draw_grid(grid_ax, layout, cell)
    _draw_output(out_ax, layout, out_cells)
    _draw_strip(strip_ax, layout, cell)
    kind = ("max-pool" + (", ceil_mode" if layout.ceil_mode else "")) if pool else "convolution"
    setting = (f"{kind}: n={n}, kernel k={kernel}, stride s={stride}, padding p={padding}, "
               f"dilation d={dilation}")
    fig.text(0.02, 1 - 0.22 / fig_h, setting, fontsize=10, fontweight="bold", va="top")
    formula = size_formula(n, kernel, stride, padding, dilation, pool=pool, ceil_mode=ceil_mode)
    fig.text(0.02, 1 - 0.5 / fig_h, formula.replace(", minus", ",\nminus"), fontsize=10, va="top",
             linespacing=1.5)
    handles = [Patch(facecolor=INPUT, edgecolor="#555555", label="input pixel"),
               Patch(facecolor=PADDING, edgecolor="#555555", label="padding"),
               Patch(facecolor=FIRST, label="first window: taps"),
               Patch(facecolor=FIRST_GAP, label="skipped by dilation"),
               Patch(facecolor=SECOND, label="second window"),
               plt.Line2D([], [], marker="x", color=DROPPED, linestyle="none", label="never read")]
    if layout.dropped is not None or w > layout.padded:
        handles.append(Patch(facecolor=OUTSIDE, edgecolor="#555555", hatch="//", label="beyond the padding"))
    fig.legend(handles=handles, loc="lower left", ncol=4, fontsize=7.5, frameon=False,
               bbox_to_anchor=(0.01, 0.0))
    return fig


# --- receptive fields ----------------------------------------------------------


def plot_receptive_fields(rows: list[ReceptiveField], image=None, input_size: int = 227,
                          labels: dict[str, str] | None = None) -> plt.Figure:
    """Receptive fields drawn on the input (left) and their sizes and jumps per layer (right).

    For each layer the square is the field of the unit whose centre is nearest the
    middle of the input; ``image`` (an array ``(H, W[, 3])``) is stretched over the
    ``input_size`` × ``input_size`` input. ``labels`` renames ``rows`` (e.g. from ``layer_labels``).
    """
    labels = labels or {}
    names = [labels.get(r.name, r.name) for r in rows]
    fig, (ax, bar_ax) = plt.subplots(1, 2, figsize=(11, 4.8), gridspec_kw={"width_ratios": [1, 1.25]})
    edge = (-0.5, input_size - 0.5)
    if image is not None:
        ax.imshow(image, extent=(edge[0], edge[1], edge[1], edge[0]), alpha=0.85)
    else:
        ax.add_patch(Rectangle((-0.5, -0.5), input_size, input_size, facecolor="#f4f4f4", edgecolor="none"))
    palette = [plt.get_cmap("tab10")(i) for i in (0, 1, 2, 3, 4, 5, 6, 9, 8)]  # tab10 without its grey
    colours = [palette[i % len(palette)] for i in range(len(rows))]
    middle = (input_size - 1) / 2
    for row, name, colour in zip(rows, names, colours):
        unit = max(0, round((middle - row.start) / row.jump))
        centre = row.start + unit * row.jump
        half = (row.size - 1) / 2
        square = Rectangle((centre - half - 0.5, centre - half - 0.5), row.size, row.size,
                           facecolor="none", edgecolor=colour, linewidth=2.2)
        square.set_path_effects([patheffects.withStroke(linewidth=3.6, foreground="white")])
        ax.add_patch(square)
        if row.size >= 0.25 * input_size:  # small squares: the bar chart's colours name them
            ax.text(centre - half + 1, centre - half + 1, f"{name}: {row.size}", color=colour, fontsize=7.5,
                    fontweight="bold", va="top",
                    bbox=dict(facecolor="white", alpha=0.8, pad=1, edgecolor="none"))
    pad = 0.12 * input_size
    ax.set_xlim(edge[0] - pad, edge[1] + pad)
    ax.set_ylim(edge[1] + pad, edge[0] - pad)
    ax.add_patch(Rectangle((-0.5, -0.5), input_size, input_size, facecolor="none", edgecolor="black",
                           linewidth=1))
    ax.set_title(f"the field of one unit per layer on the {input_size} × {input_size} input\n"
                 "(colours as on the right)", fontsize=10)
    ax.set_xticks([0, input_size - 1])
    ax.set_yticks([0, input_size - 1])

    x = np.arange(len(rows))
    bars = bar_ax.bar(x, [r.size for r in rows], color=colours)
    for bar, row in zip(bars, rows):
        bar_ax.text(bar.get_x() + bar.get_width() / 2, bar.get_height() + 3, f"{row.size}\njump {row.jump}",
                    ha="center", va="bottom", fontsize=7.5)
    bar_ax.axhline(input_size, color="black", linestyle="--", linewidth=1)
    bar_ax.text(-0.4, input_size + 3, f"the whole input ({input_size})", fontsize=8, va="bottom")
    bar_ax.set_xticks(x, names, fontsize=8)
    bar_ax.set_ylabel("receptive field (input pixels)")
    bar_ax.set_ylim(0, max(input_size, max(r.size for r in rows)) * 1.22)
    bar_ax.set_title("receptive field size, and jump between neighbouring units", fontsize=10)
    for side in ("top", "right"):
        bar_ax.spines[side].set_visible(False)
    fig.tight_layout()
    return fig
