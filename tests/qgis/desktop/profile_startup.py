# Copied to <profile>/python/startup.py: QGIS runs it before loading plugins. It records every
# message in the log (Python errors included) to the file named by LSM_MESSAGE_LOG.
import os

from qgis.core import QgsApplication


def _record(message, tag, level):
    with open(os.environ["LSM_MESSAGE_LOG"], "a", encoding="utf-8") as fh:
        fh.write(f"{int(level)}\t{tag}\t{message}\n\x1e\n")


QgsApplication.messageLog().messageReceived.connect(_record)
