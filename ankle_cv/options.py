"""Command-line parameter types shared by the commands (kept apart from cli.py so that the
live command's module can use them without importing the whole CLI)."""

from __future__ import annotations

import math

import click


class Finite(click.FloatRange):
    """A float range that also refuses NaN and infinities (click's range lets NaN through)."""

    def convert(self, value, param, ctx):
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number", param, ctx)
        return number
