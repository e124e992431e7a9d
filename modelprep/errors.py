"""The one exception type that means "the user's input is wrong", as opposed to a bug."""


class InputError(ValueError):
    """Bad input data or configuration.

    The message names the file, the column or rows, and what to do; the workflow scripts print
    it without a traceback and exit non-zero, before anything is published.
    """


class VariantsFailed(RuntimeError):
    """Some variants are degenerate: the others were published, the run must still fail."""


class PublishFailed(RuntimeError):
    """Publication could not finish (disk full, no permission): the published set is unchanged."""


class IntegrityError(RuntimeError):
    """A published file is missing, unlisted or altered against the manifest: not loaded."""


class UnknownName(InputError):
    """A track id, variant or column the published set does not have; the message names it."""
