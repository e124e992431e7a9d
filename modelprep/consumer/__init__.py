"""The published models as a library and from a terminal: load, query, compare."""

from modelprep.consumer.lyrics import PublishedLyrics, load_lyrics
from modelprep.consumer.variant import PublishedVariant, load

__all__ = ["PublishedLyrics", "PublishedVariant", "load", "load_lyrics"]
