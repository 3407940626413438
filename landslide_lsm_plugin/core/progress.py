"""A small progress/cancel channel between core functions and whoever calls them.

Core code reports progress in percent, logs messages and checks for cancellation through a
:class:`Progress`; the Processing layer adapts a QgsProcessingFeedback to it, tests and
scripts use the default (silent) one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Optional

from .errors import Canceled


class Progress:
    """Progress in percent, messages, and cancellation for one operation."""

    def __init__(
        self,
        on_percent: Optional[Callable[[float], None]] = None,
        is_canceled: Optional[Callable[[], bool]] = None,
        on_info: Optional[Callable[[str], None]] = None,
        on_warning: Optional[Callable[[str], None]] = None,
        start: float = 0.0,
        end: float = 100.0,
    ) -> None:
        self._on_percent = on_percent
        self._is_canceled = is_canceled
        self._on_info = on_info
        self._on_warning = on_warning
        self._start = start
        self._end = end

    def percent(self, value: float) -> None:
        """Report progress within this operation, 0..100."""
        if self._on_percent is not None:
            value = min(100.0, max(0.0, float(value)))
            self._on_percent(self._start + (self._end - self._start) * value / 100.0)

    def fraction(self, done: float, total: float) -> None:
        """Report progress as ``done`` out of ``total``."""
        self.percent(100.0 * done / total if total else 100.0)

    def canceled(self) -> bool:
        return bool(self._is_canceled and self._is_canceled())

    def check(self) -> None:
        """Raise :class:`Canceled` when the user asked to stop."""
        if self.canceled():
            raise Canceled()

    def info(self, message: str) -> None:
        if self._on_info is not None:
            self._on_info(message)

    def warning(self, message: str) -> None:
        if self._on_warning is not None:
            self._on_warning(message)

    def sub(self, start: float, end: float) -> Progress:
        """A child progress that maps its 0..100 onto ``start..end`` of this one."""
        span = self._end - self._start
        return Progress(
            self._on_percent,
            self._is_canceled,
            self._on_info,
            self._on_warning,
            self._start + span * start / 100.0,
            self._start + span * end / 100.0,
        )


SILENT = Progress()
