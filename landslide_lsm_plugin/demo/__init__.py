"""The built-in sample study area (a synthetic landslide process with known truth) used by
`make demo`, the *Create sample study area* algorithm, tests and benchmarks.

Depends on core (never the other way round); imports no qgis, PyQt or tensorflow."""
