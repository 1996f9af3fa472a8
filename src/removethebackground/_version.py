"""The package's version, in a module of its own so that anything can read it cheaply."""

__version__ = "0.1.0"
