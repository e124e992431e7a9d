"""The one exception type that means "the user's input is wrong", as opposed to a bug."""


class InputError(ValueError):
    """Bad input data or configuration.

    The message names the file, the column or rows, and what to do; the workflow scripts print
    it without a traceback and exit non-zero, before anything is published.
    """


class VariantsFailed(RuntimeError):
    """Some variants are degenerate: the others were published, the run must still fail."""
