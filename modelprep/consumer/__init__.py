"""The published models as a library and from a terminal: load, query, compare."""

from modelprep.consumer.variant import PublishedVariant, load

__all__ = ["PublishedVariant", "load"]
