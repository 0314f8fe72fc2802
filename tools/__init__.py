"""Build tooling for the course's maintainers: the mdBook rendering (``python -m tools.book``),
its offline formulas (``mathrender``) and the Colab set-up cell (``python -m tools.colab``).

Learners never need this package; ``alexnet_course`` never imports it.
"""
