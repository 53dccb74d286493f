"""Smart Region: the open-source platform of a regional smart-city reference centre."""

__version__ = "0.1.0"
