"""Entity and relation extraction for Chinese healthcare-industry news."""

__version__ = "0.1.0"
