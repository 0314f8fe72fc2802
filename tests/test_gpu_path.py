"""The gpu profile's training path, dry-run on the CPU (issue 19, item 3): its network (full
AlexNet, torchvision's, at 224 px), its data transforms, bf16 autocast and channels_last, for two
steps through the course's own ``train.fit``, so that the path cannot rot while no GPU is around.

``torch.compile`` is checked up to, not including, code generation: dynamo captures the network
whole and AOT autograd builds its forward and backward under autocast (``backend="aot_eager"``,
a few seconds). Inductor's code generation is left out: on a CPU it compiles C++ for tens of
seconds per graph, and its GPU half (Triton) needs a GPU; ``alexnet-course bench gpu`` tries it
on the device first and records in its JSON whether it worked (``compile_note``).
"""

from __future__ import annotations

import math
from dataclasses import replace

import torch
from torch import nn

from alexnet_course import data, loaders, profiles, train
from alexnet_course.models import get_model

GPU = profiles.profile("gpu")
CPU = torch.device("cpu")


def _images(split: str, first: int, count: int) -> data.FashionMNIST:
    """``count`` Fashion-MNIST images of ``split`` with the gpu profile's per-image transform."""
    ten = data.fashion_mnist(split, GPU, samples=10)  # one image per class
    keep = slice(first, first + count)
    return data.FashionMNIST(ten.images[keep], ten.targets[keep], split=split, source=ten.source,
                             transform=ten.transform)


def _gpu_config() -> train.TrainConfig:
    return replace(train.recipe("modern"), amp="bf16", channels_last=True, batch_size=2, epochs=1,
                   log_every=1)


def test_the_gpu_profile_is_full_alexnet_at_224():
    assert (GPU.model, GPU.image_size) == ("alexnet-torchvision", 224)
    assert sum(p.numel() for p in get_model(GPU.model).parameters()) == 61_100_840  # torchvision's


def test_batches_prepared_on_the_device_match_the_per_image_transform_at_224(no_network):
    images = _images("train", 0, 4)
    x, y = next(iter(loaders.batches(images, 4, device=CPU, image_size=GPU.image_size)))
    assert x.shape == (4, 1, 224, 224) and y.tolist() == images.targets.tolist()
    for i in range(4):
        torch.testing.assert_close(x[i], images[i][0], atol=1e-5, rtol=0)


def test_the_gpu_profile_trains_two_steps_at_224_in_bf16_and_channels_last(no_network):
    torch.manual_seed(0)
    model = get_model(GPU.model, num_classes=10, in_channels=1)
    before = {name: p.detach().clone() for name, p in model.named_parameters()}
    convs = [m for m in model.modules() if isinstance(m, nn.Conv2d)]
    seen = []  # conv2's input in training: dtype and layout (conv1's, one channel, has no layout)
    convs[1].register_forward_hook(lambda m, inputs, out: seen.append(
        (inputs[0].dtype, inputs[0].is_contiguous(memory_format=torch.channels_last), m.training)))

    history = train.fit(model, _images("train", 0, 4), _images("test", 4, 2), _gpu_config(),
                        image_size=GPU.image_size, device=CPU, progress=False)

    (row,) = history.epochs
    assert row["steps"] == 2 and [step for step, _ in history.steps] == [1, 2]
    assert all(math.isfinite(loss) for _, loss in history.steps)
    assert math.isfinite(row["train_loss"]) and math.isfinite(row["test_loss"])
    assert seen[:2] == [(torch.bfloat16, True, True)] * 2  # the two steps ran in bf16, channels_last
    assert convs[1].weight.is_contiguous(memory_format=torch.channels_last)
    unchanged = [name for name, p in model.named_parameters() if torch.equal(p, before[name])]
    assert not unchanged, f"not trained: {unchanged}"


def test_the_gpu_profile_network_compiles_whole_under_bf16_autocast(no_network):
    torch.manual_seed(0)
    model = get_model(GPU.model, num_classes=10, in_channels=1)
    config = _gpu_config()
    train.prepare_model(model, config, CPU, resume=False)
    compiled = torch.compile(model, backend="aot_eager", fullgraph=True)  # a graph break fails
    optimizer = train.make_optimizer(model, config)
    x, y = next(iter(loaders.batches(_images("train", 0, 2), 2, device=CPU, image_size=GPU.image_size)))
    weight = model.classifier[-1].weight.detach().clone()
    try:
        logits, loss = train.train_step(compiled, x, y, optimizer, torch.amp.GradScaler(enabled=False),
                                        config)
    finally:
        torch.compiler.reset()
    assert logits.dtype == torch.bfloat16 and logits.shape == (2, 10)
    assert math.isfinite(loss.item()) and not torch.equal(model.classifier[-1].weight, weight)
