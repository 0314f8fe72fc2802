"""fc7 features, nearest neighbours and the figures of lesson 09."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
import torch
from torch import nn

from alexnet_course import embeddings, plots
from alexnet_course.history import History
from alexnet_course.models import get_model


def test_penultimate_features_are_fc7_after_relu():
    torch.manual_seed(0)
    model = get_model("alexnet-small")
    x = torch.randn(6, 1, 32, 32)
    feats, targets = embeddings.penultimate_features(model, [(x, torch.arange(6))])
    # by hand: everything up to fc8's input
    model.eval()
    with torch.no_grad():
        h = torch.flatten(model.avgpool(model.features(x)), 1)
        expected = model.classifier[:-1](h)
    torch.testing.assert_close(feats, expected)
    assert feats.shape == (6, 512) and (feats >= 0).all() and targets.tolist() == list(range(6))
    assert not model.classifier[-1]._forward_pre_hooks  # the hook is removed


def test_nearest_neighbours_match_brute_force():
    torch.manual_seed(1)
    bank, queries = torch.randn(50, 8), torch.randn(4, 8)
    found = embeddings.nearest_neighbours(queries, bank, k=3)
    for q, row in zip(queries, found):
        distances = ((bank - q) ** 2).sum(1)
        assert row.tolist() == distances.argsort()[:3].tolist()
    with pytest.raises(ValueError, match="only 50 vectors"):
        embeddings.nearest_neighbours(queries, bank, k=51)
    with pytest.raises(ValueError, match="no Linear layer"):
        embeddings.penultimate_layer(nn.Conv2d(1, 1, 1))


def test_figures_draw_what_they_are_given():
    cm = torch.tensor([[5, 1], [0, 7]])
    fig = plots.plot_confusion(cm, ["a", "b"])
    texts = sorted(t.get_text() for t in fig.axes[0].texts)
    assert texts == ["0", "1", "5", "7"]
    weight = torch.randn(12, 1, 5, 5)
    fig = plots.show_filters(weight, ncols=6)
    shown = [ax.images[0].get_array() for ax in fig.axes if ax.images]
    assert len(shown) == 12 and all(float(a.min()) == 0.0 and float(a.max()) == 1.0 for a in shown)
    history = History()
    for e in (1, 2):
        history.log_step(e * 10, 1.0 / e)
        history.log_epoch(epoch=e, steps=10, train_loss=1 / e, test_loss=1.1 / e,
                          train_top1=0.5 * e, test_top1=0.45 * e, test_top5=0.9)
    fig = plots.plot_history(history, "run")
    assert [len(ax.lines) for ax in fig.axes] == [3, 3]


def _history(epochs: int) -> History:
    history = History()
    for epoch in range(1, epochs + 1):
        history.log_epoch(epoch=epoch, train_loss=1 / epoch, test_top1=0.5 + epoch / 10)
    return history


def test_live_plot_is_silent_outside_a_notebook():
    live = plots.LivePlot()
    figures = plt.get_fignums()
    live(_history(1))  # no IPython kernel: nothing drawn, no display handle
    assert live.handle is None and plt.get_fignums() == figures


def test_live_plot_draws_once_then_updates_the_same_output(monkeypatch):
    import IPython
    import IPython.display

    shown = []

    class Handle:
        def update(self, fig):
            shown.append(("update", [len(line.get_xdata()) for line in fig.axes[0].lines]))

    def display(fig, display_id):
        shown.append(("display", display_id))
        return Handle()

    monkeypatch.setattr(IPython, "get_ipython", lambda: object())
    monkeypatch.setattr(IPython.display, "display", display)
    live, figures = plots.LivePlot("run"), plt.get_fignums()
    live(_history(1))
    live(_history(2))
    assert shown == [("display", True), ("update", [2])]  # one output, redrawn with two epochs
    assert plt.get_fignums() == figures  # each figure closed once handed over
