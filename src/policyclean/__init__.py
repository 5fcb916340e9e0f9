"""policyclean: clean Chinese policy documents collected from the web.

    >>> import policyclean
    >>> result = policyclean.clean(open("seeds/004_12ff21ec68cac506.txt", "rb").read())
    >>> result.text, result.encoding, result.script, result.steps, result.warnings

See README.md for the stages, the report and the configuration.
"""

from .errors import BinaryInputError, DecodeError, PolicycleanError, TableError
from .model import Change, Config, Result, StageResult, Step
from .pipeline import clean, clean_stream

__version__ = "0.1.0"

__all__ = ["clean", "clean_stream", "Config", "Result", "Step", "Change", "StageResult",
           "PolicycleanError", "DecodeError", "BinaryInputError", "TableError", "__version__"]
