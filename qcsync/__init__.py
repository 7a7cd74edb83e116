"""qcsync: QuantConnect cloud projects and node assignments as code."""

__version__ = "0.1.0"
