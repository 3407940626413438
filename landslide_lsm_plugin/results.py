"""Where evaluation results produced in this QGIS session are announced to the dock.

Evaluate runs on a Processing worker thread; it calls :func:`announce_results`, which records
the file and, when the dock exists, tells it through a queued Qt signal. No qgis import at
module level: it is cheap to import anywhere.
"""

from __future__ import annotations

import threading

_lock = threading.Lock()
_results: list[str] = []
_listeners: list = []


def announce_results(path: str) -> None:
    """Record a results file written in this session and notify listeners."""
    with _lock:
        if path not in _results:
            _results.append(path)
        listeners = list(_listeners)
    for listener in listeners:
        listener(path)


def session_results() -> list[str]:
    with _lock:
        return list(_results)


def add_listener(callback) -> None:
    with _lock:
        _listeners.append(callback)


def remove_listener(callback) -> None:
    with _lock:
        if callback in _listeners:
            _listeners.remove(callback)
