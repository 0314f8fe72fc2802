"""Interactive explorers (ipywidgets) for the lessons; the core package never imports this module.

Every explorer is a widget (a ``VBox``: controls, a message, a picture) whose logic
lives in one plain method, ``update(**values) -> View``, so it can be driven and
tested without a browser; moving a control only calls ``update`` and shows its
``View``. Impossible settings come back as a message, never as a traceback:

>>> explorer = output_size_explorer()
>>> view = explorer.update(n=227, kernel=11, stride=4, padding=0, dilation=1, draw=False)
>>> view.output_size
55
>>> print(explorer.update(n=227, kernel=11, stride=4, padding=0, dilation=1, draw=False).text)
Output size: 55 × 55
o = ⌊(227 + 2·0 − 1·(11 − 1) − 1) / 4⌋ + 1 = ⌊54⌋ + 1 = 55
PyTorch's nn.Conv2d agrees: (1, 1, 227, 227) → (1, 1, 55, 55).
>>> print(explorer.update(n=6, kernel=11, stride=4, padding=2,
...                       dilation=1).text)  # doctest: +NORMALIZE_WHITESPACE
Impossible: kernel 11 with dilation 1 spans 11 pixels but the padded input is only 10 (n=6, padding=2).
PyTorch refuses too: Calculated padded input size per channel: (10 x 10). Kernel size: (11 x 11).
Kernel size can't be greater than actual input size
"""

from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass, field

import ipywidgets as widgets
import matplotlib.pyplot as plt
import torch
from IPython.display import display
from torch import nn

from alexnet_course.arithmetic import conv_output_size, pool_output_size
from alexnet_course.plots.arithmetic import plot_sliding_window, size_formula, window_layout
from alexnet_course.progress import widget_view

__all__ = ["View", "Explorer", "OutputSizeExplorer", "output_size_explorer"]


@dataclass
class View:
    """What an explorer shows for one setting: a message and, when the setting is possible, a figure."""

    ok: bool  # False: an impossible setting; ``lines`` say why
    lines: list[str]  # the message, one sentence per line; the first is the headline
    figure: plt.Figure | None = None
    values: dict = field(default_factory=dict)  # anything a test may want to read (e.g. output_size)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    @property
    def html(self) -> str:
        colour = "#1a7f37" if self.ok else "#b42318"
        head, *rest = [html.escape(line) for line in self.lines] or [""]
        return "<br>".join([f'<b style="color:{colour}">{head}</b>', *rest])

    def __getattr__(self, name):  # view.output_size reads view.values["output_size"]
        try:
            return self.__dict__["values"][name]
        except KeyError:
            raise AttributeError(name) from None


def figure_png(figure: plt.Figure, dpi: int = 80) -> bytes:
    """``figure`` as PNG bytes; the figure is closed so it is not also shown inline."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    plt.close(figure)
    return buffer.getvalue()


class Explorer(widgets.VBox):
    """Controls above a message and a picture. Subclasses pass their controls and define ``update``.

    ``update(**values)`` gets one keyword per control (plus ``draw``) and returns a
    :class:`View`; it must not raise for any value the controls allow. ``refresh()``
    shows ``update``'s view for the controls' current values; it runs on every change.
    Only API common to ipywidgets 7.7 (Colab's) and 8 is used (tests/test_widgets_ipywidgets7.py).
    """

    css_class = "ac-explorer"  # subclasses name themselves, e.g. "ac-output-size-explorer"

    def __init__(self, controls: dict[str, widgets.ValueWidget],
                 layout: widgets.Widget | None = None):
        self.controls = controls
        self.message = widgets.HTML()
        self.picture = widgets.Image(format="png")
        self.view: View | None = None
        controls_box = layout or widgets.VBox(list(controls.values()))
        super().__init__([controls_box, self.message, self.picture])
        # Stable CSS hooks for styling and for the browser tests (tests/browser).
        for widget, css in [(self, "ac-explorer"), (self, self.css_class),
                            (self.message, "ac-explorer-message"),
                            (self.picture, "ac-explorer-picture")]:
            widget.add_class(css)
        for name, control in controls.items():
            control.add_class(f"ac-control-{name}")
            control.observe(self._changed, names="value")
        self.refresh()

    def values(self) -> dict:
        return {name: control.value for name, control in self.controls.items()}

    def update(self, *, draw: bool = True, **values) -> View:
        raise NotImplementedError

    def refresh(self) -> View:
        """Recompute the view for the current control values and show it."""
        try:
            view = self.update(**self.values())
        except Exception as error:  # a bug, not a setting: still a message rather than a traceback in the UI
            view = View(False, [f"Unexpected error ({type(error).__name__}): {error}"])
        self.view = view
        self.message.value = view.html
        if view.figure is None:
            self.picture.value = b""
            self.picture.layout.display = "none"
        else:
            self.picture.value = figure_png(view.figure)
            self.picture.layout.display = None
        return view

    def _changed(self, change) -> None:
        self.refresh()

    def _repr_mimebundle_(self, **kwargs) -> dict:
        """The live widget for a running kernel, and for every other reader (GitHub, the book,
        a notebook opened without a kernel) the current message and picture.

        Front-ends pick the richest type they can render: JupyterLab with a kernel shows the
        widget, a static renderer shows ``image/png`` and ``text/plain``.
        """
        bundle = {**widget_view(self._model_id),
                  "text/plain": self.view.text if self.view else type(self).__name__}
        if self.picture.value:
            bundle["image/png"] = base64.b64encode(self.picture.value).decode("ascii")
        return bundle

    if hasattr(widgets.Widget, "_ipython_display_"):  # ipywidgets 7 (Colab's)
        def _ipython_display_(self, **kwargs) -> None:
            # IPython prefers _ipython_display_ to _repr_mimebundle_, and ipywidgets 7's
            # publishes the bare view reference: publish the bundle with the picture instead.
            display(self._repr_mimebundle_(), raw=True)
            self._handle_displayed(**kwargs)  # what 7's own method does next (on_displayed)


def _slider(description: str, value: int, low: int, high: int) -> widgets.IntSlider:
    # continuous_update=False: redraw when the handle is released, not for every pixel dragged.
    return widgets.IntSlider(value=value, min=low, max=high, description=description, continuous_update=False,
                             style={"description_width": "90px"}, layout=widgets.Layout(width="330px"))


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


class OutputSizeExplorer(Explorer):
    """Sliders for input size, kernel, stride, padding and dilation of a convolution or a max-pool.

    Shows the output size with the formula's numbers, what PyTorch's own layer gives
    for an ``n × n`` input, and the sliding-window picture of ``plot_sliding_window``.
    """

    LAYERS = ("convolution", "max-pool")
    css_class = "ac-output-size-explorer"

    def __init__(self, n: int = 8, kernel: int = 3, stride: int = 2, padding: int = 1, dilation: int = 1,
                 layer: str = "convolution", ceil_mode: bool = False):
        controls = {
            "n": _slider("input size n", n, 1, 32),
            "kernel": _slider("kernel k", kernel, 1, 11),
            "stride": _slider("stride s", stride, 1, 8),
            "padding": _slider("padding p", padding, 0, 5),
            "dilation": _slider("dilation d", dilation, 1, 4),
            "layer": widgets.ToggleButtons(options=self.LAYERS, value=layer, description="layer",
                                           style={"description_width": "40px", "button_width": "100px"}),
            "ceil_mode": widgets.Checkbox(value=ceil_mode, description="ceil_mode (pools only)",
                                          disabled=layer != "max-pool", indent=False),
        }
        names = list(controls)
        layout = widgets.HBox([widgets.VBox([controls[k] for k in names[:3]]),
                               widgets.VBox([controls[k] for k in names[3:5]]),
                               widgets.VBox([controls[k] for k in names[5:]])])
        super().__init__(controls, layout)

    def _changed(self, change) -> None:
        self.controls["ceil_mode"].disabled = self.controls["layer"].value != "max-pool"
        super()._changed(change)

    def update(self, n: int = 8, kernel: int = 3, stride: int = 2, padding: int = 1, dilation: int = 1,
               layer: str = "convolution", ceil_mode: bool = False, *, draw: bool = True) -> View:
        """The view for one setting: output size, formula, PyTorch's verdict and the picture.

        ``draw=False`` skips the figure (a valid view then has ``figure`` None too).
        """
        pool = layer == "max-pool"
        ceil_mode = bool(ceil_mode) and pool
        values = dict(n=n, kernel=kernel, stride=stride, padding=padding, dilation=dilation,
                      layer=layer, ceil_mode=ceil_mode)
        torch_shape, torch_error = self._pytorch(n, kernel, stride, padding, dilation, pool, ceil_mode)
        try:
            if pool:
                size = pool_output_size(n, kernel, stride, padding, dilation, ceil_mode)
            else:
                size = conv_output_size(n, kernel, stride, padding, dilation)
        except ValueError as error:
            lines = [f"Impossible: {error}."]
            lines.append(f"PyTorch refuses too: {torch_error}" if torch_error
                         else f"PyTorch disagrees: it gives {torch_shape}.")
            return View(False, lines, None, {**values, "output_size": None, "torch_shape": torch_shape})
        kind = "nn.MaxPool2d" + (" (ceil_mode=True)" if ceil_mode else "") if pool else "nn.Conv2d"
        lines = [f"Output size: {size} × {size}", size_formula(n, kernel, stride, padding, dilation,
                                                             pool=pool, ceil_mode=ceil_mode)]
        if torch_shape == (1, 1, size, size):
            lines.append(f"PyTorch's {kind} agrees: (1, 1, {n}, {n}) → {torch_shape}.")
        else:
            lines.append(f"PyTorch's {kind} disagrees: {torch_error or torch_shape}.")
        layout = window_layout(n, kernel, stride, padding, dilation, pool=pool, ceil_mode=ceil_mode)
        unread = [c - padding for c in layout.never_read if padding <= c < padding + n]
        if unread:
            pixels = "pixel" if len(unread) == 1 else "pixels"
            lines.append(f"{len(unread)} input {pixels} of each row never read: "
                         f"{', '.join(map(str, unread))}.")
        figure = (plot_sliding_window(n, kernel, stride, padding, dilation, pool=pool, ceil_mode=ceil_mode)
                  if draw else None)
        return View(True, lines, figure, {**values, "output_size": size, "torch_shape": torch_shape})

    @staticmethod
    def _pytorch(n, kernel, stride, padding, dilation, pool, ceil_mode) -> tuple[tuple | None, str | None]:
        """The output shape PyTorch's own layer gives for a (1, 1, n, n) input, or its error message."""
        try:
            if pool:
                layer = nn.MaxPool2d(kernel, stride, padding, dilation, ceil_mode=ceil_mode)
            else:
                layer = nn.Conv2d(1, 1, kernel, stride, padding, dilation, bias=False)
            with torch.no_grad():
                return tuple(layer(torch.zeros(1, 1, n, n)).shape), None
        except (RuntimeError, ValueError) as error:
            return None, _first_line(error)


def output_size_explorer(**initial) -> OutputSizeExplorer:
    """The lesson 01 explorer: ``display(output_size_explorer())`` in a notebook.

    ``initial`` sets the starting values (n, kernel, stride, padding, dilation, layer, ceil_mode).
    """
    return OutputSizeExplorer(**initial)


# ----------------------------------------------------------------------------- lesson 04: LRN

__all__ += ["LRNExplorer", "lrn_explorer"]


class LRNExplorer(Explorer):
    """Sliders for LRN's k, n, alpha and beta over a real activation map.

    The map (``activations``, ``(C, H, W)``) is lesson 04's choice: there, a real photo
    through oriented filters and a ReLU, at raw-pixel magnitudes as in the paper. Shows the range
    of the divisor ``(k + alpha * sum of squares) ** beta``, PyTorch's
    equivalent layer (alpha times n) and whether it agrees, and a picture: every channel at
    the most active pixel before and after LRN, and the divisor map of that pixel's channel.

    >>> ramp = torch.linspace(-1, 1, 8 * 6 * 6).reshape(8, 6, 6)  # half the channels at 0
    >>> explorer = lrn_explorer(torch.relu(ramp) * 100)
    >>> view = explorer.update(k=2.0, n=5, alpha=1e-4, beta=0.75, draw=False)
    >>> view.ok, view.torch_equal
    (True, True)
    >>> print(explorer.update(k=0.0, n=5, alpha=1e-4, beta=0.75).lines[0])
    Impossible: k = 0 divides 0 by 0 wherever all n channels of a window are 0 (common after a ReLU).
    """

    css_class = "ac-lrn-explorer"

    def __init__(self, activations: torch.Tensor, k: float = 2.0, n: int = 5,
                 alpha: float = 1e-4, beta: float = 0.75):
        self.activations = activations.detach().float()
        energy = self.activations.pow(2).sum(0)
        flat = int(energy.flatten().argmax())
        self.pixel = (flat // energy.shape[1], flat % energy.shape[1])
        style = {"description_width": "90px"}
        size = widgets.Layout(width="330px")
        controls = {
            "k": widgets.FloatSlider(value=k, min=0.0, max=5.0, step=0.25, description="k",
                                     continuous_update=False, style=style, layout=size),
            "n": _slider("n (channels)", n, 1, 2 * self.activations.shape[0]),
            "alpha": widgets.FloatLogSlider(value=alpha, base=10, min=-7, max=0, step=0.25,
                                            description="alpha", readout_format=".1e",
                                            continuous_update=False, style=style, layout=size),
            "beta": widgets.FloatSlider(value=beta, min=0.0, max=2.0, step=0.05, description="beta",
                                        continuous_update=False, style=style, layout=size),
        }
        names = list(controls)
        layout = widgets.HBox([widgets.VBox([controls[c] for c in names[:2]]),
                               widgets.VBox([controls[c] for c in names[2:]])])
        super().__init__(controls, layout)

    def update(self, k: float = 2.0, n: int = 5, alpha: float = 1e-4, beta: float = 0.75, *,
               draw: bool = True) -> View:
        """The view for one setting: the divisor's range, PyTorch's verdict and the picture."""
        from alexnet_course.layers import LocalResponseNorm, lrn_divisor

        values = dict(k=k, n=n, alpha=alpha, beta=beta)
        problems = []
        if n < 1:
            problems.append(f"n = {n}: the window must hold at least the channel itself (n ≥ 1).")
        if k < 0 or alpha < 0:
            problems.append(f"k = {k} and alpha = {alpha} must not be negative: the divisor would be "
                            "a negative number raised to the power beta.")
        elif k == 0 and beta > 0:
            problems.append("k = 0 divides 0 by 0 wherever all n channels of a window are 0 "
                            "(common after a ReLU).")
        if problems:
            return View(False, [f"Impossible: {problems[0]}", *problems[1:]], None,
                        {**values, "output": None, "torch_equal": None})
        a = self.activations
        b = LocalResponseNorm(n, alpha, beta, k)(a.unsqueeze(0)).squeeze(0)
        divisor = lrn_divisor(a.unsqueeze(0), n, alpha, beta, k).squeeze(0)
        reference = nn.LocalResponseNorm(n, alpha=alpha * n, beta=beta, k=k)(a.unsqueeze(0)).squeeze(0)
        if not torch.isfinite(b).all():
            return View(False, ["Impossible: the output is not finite for these values."], None,
                        {**values, "output": None, "torch_equal": None})
        torch_equal = bool(torch.allclose(b, reference, rtol=1e-5, atol=1e-6))
        low, high = divisor.min().item(), divisor.max().item()
        share = (alpha * a.pow(2).sum(0).max().item()) / k if k > 0 else float("inf")
        lines = [f"Divisor (k + α Σ a²)^β from {low:.3g} to {high:.3g}: activations are scaled by "
                 f"{1 / high:.3g} to {1 / low:.3g}.",
                 (f"At the most active pixel α·Σa² (all channels) is {share:.3g} × k"
                  + (": LRN is nearly a constant scaling by 1/k^β here." if share < 0.05 else ".")
                  if k > 0 else "k = 0 (allowed only with beta = 0, when LRN is the identity)."),
                 f"PyTorch's nn.LocalResponseNorm({n}, alpha={alpha * n:.3g}, beta={beta:g}, k={k:g}) "
                 + ("agrees (alpha multiplied by n)." if torch_equal else "DISAGREES.")]
        figure = self._figure(a, b, divisor) if draw else None
        return View(True, lines, figure, {**values, "output": b, "divisor": divisor,
                                          "torch_equal": torch_equal})

    def _figure(self, a, b, divisor) -> plt.Figure:
        i, j = self.pixel
        channel = int(a[:, i, j].argmax())
        fig, (bars, image) = plt.subplots(1, 2, figsize=(9.5, 3.0))
        channels = range(a.shape[0])
        bars.bar([c - 0.2 for c in channels], a[:, i, j].tolist(), width=0.4, color="tab:gray",
                 label="before")
        bars.bar([c + 0.2 for c in channels], b[:, i, j].tolist(), width=0.4, color="tab:green",
                 label="after LRN")
        bars.set(xlabel="channel", ylabel="activation", title=f"every channel at pixel {self.pixel}")
        bars.legend(fontsize=8)
        shown = image.imshow(divisor[channel].numpy(), cmap="magma")
        image.plot([j], [i], "c+", ms=10)
        image.set_title(f"divisor of channel {channel}", fontsize=10)
        image.axis("off")
        fig.colorbar(shown, ax=image, fraction=0.046, pad=0.04)
        fig.tight_layout()
        return fig


def lrn_explorer(activations: torch.Tensor, **initial) -> LRNExplorer:
    """The lesson 04 explorer over the ``(C, H, W)`` map ``activations``:
    ``display(lrn_explorer(a))`` in a notebook; ``initial`` sets k, n, alpha and beta."""
    return LRNExplorer(activations, **initial)
