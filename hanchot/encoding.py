"""The per-obligation work of :class:`hanchot.output.ObligationJson`, compiled by mypyc.

A check or a batch partition writes each of its obligations (140,000 in a check of
200,000 QMS lines) as JSON bytes. What each field holds is
:meth:`~hanchot.obligations.instances.Obligation.written`'s, each value and line of text the
:class:`~hanchot.obligations.rendering.Rendering`'s; :class:`EncodedFields` only encodes them,
each repeated one once. It is a plain class of methods (no closures, no ``dict``
subclass), so that mypyc compiles it (``setup.py``): then these calls run no Python
frame. The memos by value (a rule, an agency, a date, a plain text) are given to it:
the caller makes them as it can make them fastest (interpreted, a ``dict`` subclass whose
``__getitem__`` computes a missing value).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from hanchot.calendar import Step
from hanchot.obligations.fields import OBLIGATION_FIELDS, ExplanationParts, FieldWriter
from hanchot.obligations.model import Obligation, Phrase, Rendering, Said, Status

Dumps = Callable[[str | None], bytes]
"""A text (or None) as JSON in UTF-8."""
Memos = tuple[Callable[[str | None], bytes], Callable[[dt.date | None], bytes], Callable[[str], bytes]]
"""Encoded values, each computed once by key: names (a rule, an agency, a period), days, texts."""
Layout = tuple[tuple[bytes, ...], bytes, bytes, bytes]
"""What goes around the fields of an object (before each, and after the last), and how a
non-empty list opens, separates and closes."""


class EncodedFields:
    """Each field of an obligation as JSON bytes, for a :class:`FieldWriter`: a text
    encoded once when it is repeated (a sentence with a reuse key, a plain text, a
    basis), each time when it is not (an obligation's own sentences: its status), and a
    deadline's lines once per deadline. One per output and language.

    *memos* are the encoded names, days and texts by key, each computed once (the
    caller's); *layout* is what goes before each field of
    :data:`~hanchot.obligations.fields.OBLIGATION_FIELDS` (its key) and after the last,
    and how a non-empty list opens, separates and closes.
    """

    def __init__(
        self,
        rendering: Rendering,
        dumps: Dumps,
        memos: Memos,
        layout: Layout,
    ) -> None:
        self.rendering = rendering
        self._dumps = dumps
        names, days, self._plain = memos
        keys, self._opening, self._comma, self._closing = layout
        # An explanation is never empty (a title, a basis, an origin, a status): its list's
        # brackets go into the keys around it, so that its lines are copied once, into the object.
        at = OBLIGATION_FIELDS.index("explanation")
        self._keys = (*keys[:at], keys[at] + self._opening, self._closing + keys[at + 1], *keys[at + 2 :])
        self._reused: dict[object, bytes] = {}
        self._said: type[Said] = Said  # (compiled, a module's global is a dict lookup per use; an attribute is not)
        self._bases: dict[object, bytes] = {}
        self._steps: dict[int, tuple[tuple[Step, ...], list[bytes]]] = {}
        self._statuses = [(status, dumps(rendering.fields.status(status))) for status in Status]
        self._fields: FieldWriter[bytes, bytes] = FieldWriter(
            names, dumps, days, self.status, self.ids, self.text, self.explanation
        )
        # Bound once: reading a method off the object makes a new bound method each time.
        self._text, self._basis_line, self._steps_of = self.text, self.basis_line, self.steps

    def encode(self, o: Obligation) -> bytes:
        """*o* as one JSON object (no newline after it)."""
        rule, agency, period, trigger, opens, due, status, satisfied_by, basis, explanation = o.written(self._fields)
        k = self._keys  # (joined: a %-template of ten fields took a tenth of the work, parsed each time)
        return b"".join([
            k[0], rule, k[1], agency, k[2], period, k[3], trigger, k[4], opens, k[5], due, k[6], status,
            k[7], satisfied_by, k[8], basis, k[9], explanation, k[10],
        ])

    def status(self, status: Status) -> bytes:
        """A status, found by identity: an Enum member's hash is a Python call."""
        for member, encoded in self._statuses:
            if member is status:
                return encoded
        return self._dumps(self.rendering.fields.status(status))  # (not reached: every Status is a member)

    def ids(self, values: tuple[str, ...]) -> bytes:
        """A list of event ids."""
        if not values:
            return b"[]"
        dumps = self._dumps
        if len(values) == 1:  # (most: one event met the duty)
            return b"".join((self._opening, dumps(values[0]), self._closing))
        return b"".join((self._opening, self._comma.join([dumps(value) for value in values]), self._closing))

    def text(self, wording: Phrase | str) -> bytes:
        """A text as the rendering writes it, encoded: a sentence with a reuse key once
        per key (its key is hashed from strings and numbers, in C), one without each time
        (as :meth:`Rendering.text` writes it), a plain text once by its text (a
        :class:`Phrase` is a dataclass: its hash and equality are Python calls)."""
        if isinstance(wording, str):
            return self._plain(wording)
        if isinstance(wording, self._said):
            key = wording.reuse_key
            if key is None:
                return self._dumps(wording.render(self.rendering))
            found = self._reused.get(key)
            if found is None:
                found = self._reused[key] = self._dumps(self.rendering.text(wording))
            return found
        return self._plain(self.rendering.text(wording))

    def basis_line(self, basis: Phrase | str) -> bytes:
        """The explanation's line of a legal basis, encoded once per basis (by its reuse key, or its text)."""
        key = basis.reuse_key if isinstance(basis, self._said) else None
        if key is None:
            key = self.rendering.text(basis)
        found = self._bases.get(key)
        if found is None:
            found = self._bases[key] = self._dumps(self.rendering.basis_line(basis))
        return found

    def steps(self, deadline: tuple[Step, ...]) -> list[bytes]:
        """A deadline's lines, encoded once per deadline (deadlines are shared: keyed by
        identity, the tuple kept with its lines so that its id is not reused meanwhile)."""
        found = self._steps.get(id(deadline))
        if found is None or found[0] is not deadline:
            dumps = self._dumps
            found = self._steps[id(deadline)] = (deadline, [dumps(line) for line in self.rendering.steps(deadline)])
        return found[1]

    def explanation(self, why: ExplanationParts) -> bytes:
        """The explanation's lines inside its list (whose brackets are in the keys around the field)."""
        lines: list[bytes] = why.written(self._text, self._basis_line, self._steps_of)
        return self._comma.join(lines)
