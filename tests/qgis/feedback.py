"""Feedback for the QGIS-layer tests: what the user would read in the algorithm's log."""

from __future__ import annotations

from qgis.core import QgsProcessingFeedback


class Recorder(QgsProcessingFeedback):
    """Feedback that keeps every info, warning and error line (``messages``, ``text()``) and
    cancels once progress reaches ``cancel_at`` percent."""

    def __init__(self, cancel_at: float | None = None) -> None:
        super().__init__()
        self.messages: list[str] = []
        self.cancel_at = cancel_at
        self.progressChanged.connect(self._progress)

    def _progress(self, value: float) -> None:
        if self.cancel_at is not None and value >= self.cancel_at:
            self.cancel()

    def pushInfo(self, info):
        self.messages.append(info)
        super().pushInfo(info)

    def pushWarning(self, warning):
        self.messages.append(warning)
        super().pushWarning(warning)

    def reportError(self, error, fatalError=False):
        self.messages.append(error)
        super().reportError(error, fatalError)

    def text(self) -> str:
        return "\n".join(self.messages)
