"""dockwright: fast, small and safe container builds for Python services."""

__version__ = "0.1.0"
