"""The results files that evaluations of this QGIS session produced, for the dock.

A :class:`ResultsRegistry` belongs to the plugin instance (one per loaded plugin, nothing kept at
module level). The plugin hands it to the comparison dock and to its Processing provider, where
Evaluate finds it: Evaluate runs on a Processing worker thread and calls
:func:`announce_results`, which records the file and tells the listeners (the dock, which passes
it on to the GUI thread through a queued Qt signal). Without the plugin (``processing.run`` with
the provider registered by hand) there is no registry and announcing does nothing; under
qgis_process the registry has no listener. No qgis import: it is cheap to import anywhere.
"""

from __future__ import annotations

import threading
from typing import Callable

#: The attribute of the Processing provider that holds the plugin's registry.
PROVIDER_ATTRIBUTE = "results_registry"


class ResultsRegistry:
    """The results files written in this session, the ones the user cleared, and who listens.

    Thread-safe: :meth:`announce` may be called from any thread. Listeners are called on the
    announcing thread, outside the lock.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._files: list[str] = []
        #: cleared by the user: not brought back by a new dock or Refresh, until Evaluate
        #: writes them again or the user adds them
        self._forgotten: set[str] = set()
        self._listeners: list[Callable[[str], None]] = []

    def announce(self, path: str) -> None:
        """Record a results file written in this session and tell the listeners."""
        path = str(path)
        with self._lock:
            if path not in self._files:
                self._files.append(path)
            self._forgotten.discard(path)
            listeners = list(self._listeners)
        for listener in listeners:
            listener(path)

    def session_results(self) -> list[str]:
        """The results files of this session that the user has not cleared, oldest first."""
        with self._lock:
            return [p for p in self._files if p not in self._forgotten]

    def forget(self, paths) -> None:
        """The user cleared these files from the comparison."""
        with self._lock:
            self._forgotten.update(str(p) for p in paths)

    def restore(self, path: str) -> None:
        """The user added ``path`` again: no longer forgotten."""
        with self._lock:
            self._forgotten.discard(str(path))

    def is_forgotten(self, path: str) -> bool:
        with self._lock:
            return str(path) in self._forgotten

    def add_listener(self, callback: Callable[[str], None]) -> None:
        with self._lock:
            if callback not in self._listeners:
                self._listeners.append(callback)

    def remove_listener(self, callback: Callable[[str], None]) -> None:
        with self._lock:
            if callback in self._listeners:
                self._listeners.remove(callback)


def registry_of(algorithm) -> ResultsRegistry | None:
    """The registry of the plugin whose provider runs ``algorithm``; None without the plugin."""
    provider = algorithm.provider() if hasattr(algorithm, "provider") else None
    registry = getattr(provider, PROVIDER_ATTRIBUTE, None)
    return registry if isinstance(registry, ResultsRegistry) else None


def announce_results(algorithm, path: str) -> None:
    """Evaluate's call (any thread): tell the plugin's registry; a no-op without one."""
    registry = registry_of(algorithm)
    if registry is not None:
        registry.announce(path)
