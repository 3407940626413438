"""The science of Landslide LSM: numpy, GDAL and scikit-learn only.

Nothing in this package imports qgis, PyQt or tensorflow (a test parses every module to
check), so all of it runs and is tested without QGIS.
"""
