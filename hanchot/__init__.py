"""hanchot: deadlines and obligations of the QMS of Vietnamese state agencies.

The public surface is small: the calendar (:mod:`hanchot.calendar`), rule packs
(:mod:`hanchot.rules`), the obligation model (:mod:`hanchot.obligations`) and the
:class:`~hanchot.engine.Engine` that ties them together.
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
