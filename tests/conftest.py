"""Shared fixtures. The unit tests run in the smoke profile and never touch the network."""

from __future__ import annotations

import socket

import pytest


def refuse_calls(monkeypatch, message: str, *targets: tuple[object, str]) -> None:
    """Make each ``(owner, name)`` in ``targets`` fail the test with ``message`` when called."""

    def refuse(*args, **kwargs):
        raise AssertionError(message)

    for owner, name in targets:
        monkeypatch.setattr(owner, name, refuse)


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a socket fails the test loudly (the course must never download)."""
    refuse_calls(monkeypatch, "code under test tried to open a network connection",
                 (socket, "socket"), (socket, "create_connection"))
