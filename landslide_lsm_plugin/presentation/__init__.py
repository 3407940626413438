"""What a user sees of the results: figures (matplotlib), the HTML report and its escaping
builder, and the QGIS layer styles (.qml) written beside outputs.

Depends on core (never the other way round); imports no qgis, PyQt or tensorflow, so the
report builds headless and in tests without QGIS."""
