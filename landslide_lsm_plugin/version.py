"""The plugin's version: a leaf module (imports nothing), so any part of the plugin, core and the
LSNet worker included, can name it without importing the package's entry point."""

__version__ = "0.1.0"
