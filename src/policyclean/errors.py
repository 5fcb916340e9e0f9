"""Errors policyclean raises. Each message is one line that names the input and says what to do."""


class PolicycleanError(Exception):
    """Base class: anything policyclean refuses to do, with a message for a person."""


class DecodeError(PolicycleanError):
    """The bytes are not text in any encoding we accept (or not in the one forced)."""


class BinaryInputError(DecodeError):
    """The input looks like a binary file (NUL bytes, mostly unprintable)."""


class TableError(PolicycleanError):
    """A correction table or rule file is malformed (the message gives file:line)."""
