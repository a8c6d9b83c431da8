"""iocompendium: survey, evidence and compendium platform for international organisations."""

__version__ = "0.1.0"
