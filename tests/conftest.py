"""Shared fixtures. The unit tests run in the smoke profile and never touch the network."""

from __future__ import annotations

import socket

import pytest


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a socket fails the test loudly (the course must never download)."""

    def refuse(*args, **kwargs):
        raise AssertionError("code under test tried to open a network connection")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
