"""Measured experiments behind the lessons: each is a function that takes a profile and
returns tidy results (plain dataclasses / lists of dicts) that a notebook plots and a test
checks, so every number a lesson quotes can be re-run from Python or the CLI.

One module per lesson topic, named as its figures (``plots/``) and exercises (``exercises/``)
are: ``relu_vs_tanh``, ``lrn``, ``pooling``, ``dropout``, ``augmentation``, ``relatives``
(AlexNet next to LeNet-5, ZFNet and VGG, and d2l's recipe against ours); ``common`` holds
what they share.
"""
