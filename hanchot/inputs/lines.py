"""One JSON line of an event: the one place that recognises and parses it.

Both readers use it — :mod:`hanchot.inputs.events` (``check``, ``replay``,
``whatif``) and the batch (its router and its partitions):

- :func:`common_fields` recognises the **common shape** fast: an ASCII line
  without ``\\u`` escapes holding an object with non-empty strings ``id``,
  ``type`` (not a retraction), ``agency`` and ``date`` (YYYY-MM-DD) and none
  of ``scope``, ``at``, ``recorded_at``, ``retracts``. Every string is ASCII,
  so NFC changes none, and the event is the one :func:`parse_event` gives,
  about twice as fast. The batch keeps such an event as a *light* event when
  no rule names its type (see :mod:`hanchot.ledger`);
- :class:`Heads` reads what the batch's router needs of a raw line: its agency,
  and, for a line in the common shape without any escape, of a type no rule
  names, its id and date (the line is then *light*: the router keeps only its id).
  With msgspec it decodes just those keys in C, five times faster than the
  regular expression of the canonical layout, :data:`LIGHT_LAYOUT`, which it
  uses otherwise; a line of a type some rule names, in the usual layout, it
  tells by a few text searches instead (:meth:`Heads.typed_agency`);
- :func:`parse_line` gives any line's event or its :class:`Rejection`.

The text of a rejection does not depend on which optional packages are
installed: lines are decoded by the standard library's :mod:`json`, whose
verdict and wording are the reference. With msgspec installed, it decodes
the common shape in C (twice the standard scanner's speed, with the same
values: integers of any size, correctly rounded floats); a line msgspec
refuses (``NaN``, ``1E400``, anything malformed) goes to the standard path,
so every event and every rejection is the same without it. (orjson is not
used here: it reads an integer beyond 64 bits as a float.)
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Collection
from dataclasses import asdict, dataclass
from typing import Any, Final

from hanchot.idle import NO_ROLE, Idle, idle_kind
from hanchot.inputs.event import Event
from hanchot.inputs.records import LINE, RESERVED_KEYS, RETRACTION, FieldError, parse_event
from hanchot.inputs.vocabulary import TYPED, accepted, attribute_problem, declared

__all__ = [
    "LIGHT_LAYOUT",
    "SLOW_KEYS",
    "Conflict",
    "Heads",
    "Rejection",
    "Shared",
    "common_day",
    "common_fields",
    "is_plain",
    "json_problem",
    "light_layout",
    "parse_line",
    "parse_other",
    "reject",
]

RAW_CHARS = 200  # of a rejected line kept in Rejection.raw
SLOW_KEYS = RESERVED_KEYS - {"id", "type", "agency", "date"}
"""Reserved keys a line in the common shape does not have."""
# (Names read per line are Final: compiled, a Final name is a C variable, where another
# module-level name is looked up in the module's dictionary at each use.)
_SLOW_KEYS: Final = tuple(sorted(SLOW_KEYS))
_TYPED: Final = TYPED
_RETRACTION: Final = RETRACTION

_c_decode: Callable[[bytes], Any] | None
_c_head: Callable[[bytes], Any] | None
try:
    import msgspec
except ImportError:  # pragma: no cover - the test that hides msgspec runs this path
    _c_decode = _c_head = None
else:
    _c_decode = msgspec.json.Decoder().decode
    # The router's view of a line: the four strings, and each of the four slow keys' value,
    # UNSET when the key is absent (null is present). Other keys are skipped, their syntax checked.
    _c_head = msgspec.json.Decoder(
        msgspec.defstruct(
            "Head",
            [("id", str), ("type", str), ("agency", str), ("date", str), *((k, Any, msgspec.UNSET) for k in _SLOW_KEYS)],
            gc=False,
        )
    ).decode


def _head_decoder(extras: tuple[str, ...]) -> Callable[[bytes], Any]:
    """The router's decode of a line's head and of the attributes *extras* (UNSET when absent),
    after the four strings and the slow keys."""
    fields: list[Any] = [("id", str), ("type", str), ("agency", str), ("date", str), *((k, Any, msgspec.UNSET) for k in _SLOW_KEYS)]
    fields += [(f"x{i}", Any, msgspec.UNSET) for i in range(len(extras))]  # by position: a name need not be an identifier
    head = msgspec.defstruct("Head", fields, gc=False, rename={f"x{i}": name for i, name in enumerate(extras)})
    return msgspec.json.Decoder(head).decode


# The C scanner of the standard decoder, without json.loads' encoding detection
# and whitespace regular expressions: the fast path of an ASCII line.
_scan = json.JSONDecoder().scan_once  # type: ignore[attr-defined]
_fromisoformat = dt.date.fromisoformat

CommonFields = tuple[dict[str, Any], str, str, str, dt.date]
"""(the attributes, id, type, agency, date) of a line in the common shape."""


class Shared:
    """The values the events of one reader share instead of repeating: each date, and each
    type and agency name, is one object however many lines give it.

    A log repeats a few thousand of them millions of times; sharing them saves three
    objects per event (memory, and the time to make and free them) and the parsing of
    a date already seen. A reader owns one (nothing is shared between readers).
    """

    __slots__ = ("days", "names")

    def __init__(self) -> None:
        self.days: dict[str, dt.date] = {}
        """Each valid YYYY-MM-DD text read, and its date."""
        self.names: dict[str, str] = {}
        """Each type and agency name read, as the one string kept."""


@dataclass(frozen=True, slots=True)
class Rejection:
    """An input line that is not a valid event, and why."""

    file: str
    line: int
    field: str  # "(line)" when the line as a whole is bad (not JSON, not an object)
    reason: str
    raw: str  # the line's text, at most 200 characters

    def to_dict(self) -> dict[str, Any]:
        """The rejection as a plain mapping (for a JSON report)."""
        return asdict(self)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: field {self.field!r}: {self.reason}"

    def __reduce__(self) -> tuple[Any, ...]:  # by its fields: a compiled (mypyc) class has no __dict__ to restore
        return (Rejection, (self.file, self.line, self.field, self.reason, self.raw))


@dataclass(frozen=True, slots=True)
class Conflict:
    """Two different events under one id: where each is, and whether both count."""

    id: str
    kept: tuple[str, int]
    """The least copy (it counts)."""
    other: tuple[str, int]
    both_count: bool
    """True when the copies name different agencies: each counts for its own."""

    def sort_key(self) -> tuple[Any, ...]:
        """Order of the report: by id, then by the copies' places."""
        return (self.id, self.kept, self.other)

    def to_dict(self) -> dict[str, Any]:
        """The conflict as a JSON-ready mapping."""
        return {
            "id": self.id,
            "kept": f"{self.kept[0]}:{self.kept[1]}",
            "other": f"{self.other[0]}:{self.other[1]}",
            "counts": "both" if self.both_count else "kept",
        }

    def __str__(self) -> str:
        which = "both count, each for its own agency" if self.both_count else "the first counts"
        return f"id {self.id!r}: {self.kept[0]}:{self.kept[1]} and {self.other[0]}:{self.other[1]} differ; {which}"

    def __reduce__(self) -> tuple[Any, ...]:  # by its fields, as Rejection
        return (Conflict, (self.id, self.kept, self.other, self.both_count))


def is_plain(data: bytes) -> bool:
    """Whether *data* is ASCII without ``\\u`` escapes, as the common shape asks of a line:
    a reader checks a block of lines at once, and passes the answer as ``plain``."""
    # The byte 92 (a backslash) as an int first: a bytes operand of `in` is first tried as an
    # int, a TypeError raised and cleared (about 2,000 instructions a call); most lines have none.
    return data.isascii() and (92 not in data or b"\\u" not in data)


def common_fields(raw: bytes, plain: bool = False, shared: Shared | None = None) -> CommonFields | None:
    """The fields of a line in the common shape (see the module), or None.

    *plain*: the caller found the line ASCII without ``\\u`` escapes (a whole block at once).
    *shared*: the reader's :class:`Shared` values (else the line shares nothing).
    The attributes are the decoded object without its four reserved keys: the line's own
    mapping, fresh, which :meth:`Event.owning` gives the event as it is.
    """
    if not plain and not is_plain(raw):
        return None
    if _c_decode is not None:
        try:
            obj = _c_decode(raw)
        except msgspec.DecodeError:  # the standard path gives the verdict and its words
            return None
    else:
        text = raw.decode("ascii")
        try:
            obj, end = _scan(text, 0)
        except (StopIteration, ValueError):
            return None
        if end != len(text) and not text[end:].isspace():
            return None
    if type(obj) is not dict:
        return None
    event_id, event_type, agency, date = obj.get("id"), obj.get("type"), obj.get("agency"), obj.get("date")
    if (
        type(event_id) is not str
        or type(event_type) is not str
        or type(agency) is not str
        or type(date) is not str
        or not event_id
        or not event_type
        or not agency
        or event_type == _RETRACTION
    ):
        return None
    for key in _SLOW_KEYS:
        if key in obj:
            return None
    if shared is None:
        shared = Shared()
    days = shared.days
    day = days.get(date)
    if day is None:
        day = common_day(date)
        if day is None:
            return None
        days[date] = day
    # Taken out: a line that is not in the common shape is decoded again by parse_other,
    # so this mapping is either the event's attributes or dropped.
    del obj["id"], obj["type"], obj["agency"], obj["date"]
    if event_type in _TYPED and attribute_problem(event_type, obj) is not None:
        return None  # a mistyped attribute: parse_other words the rejection
    names = shared.names
    return obj, event_id, names.setdefault(event_type, event_type), names.setdefault(agency, agency), day


def common_day(text: str) -> dt.date | None:
    """The date of a ``date`` in the common shape (YYYY-MM-DD, a real day), or None."""
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        return None
    try:
        return _fromisoformat(text)
    except ValueError:
        return None


def parse_line(raw: bytes, name: str, lineno: int) -> Event | Rejection:
    """One non-blank JSON Lines line (bytes, BOM removed): its event or its rejection."""
    fields = common_fields(raw)
    if fields is not None:
        return Event.owning(fields, (name, lineno))
    return parse_other(raw, name, lineno)


def parse_other(raw: bytes, name: str, lineno: int) -> Event | Rejection:
    """A line not in the common shape: decoded by :mod:`json`, validated by :func:`parse_event`."""
    try:
        obj = json.loads(raw)
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError
        return reject(name, lineno, LINE, json_problem(exc), raw)
    try:
        return parse_event(obj, (name, lineno))
    except FieldError as exc:
        return reject(name, lineno, exc.field, exc.reason, raw)


def reject(name: str, line: int, field: str, reason: str, raw: bytes | str) -> Rejection:
    """A rejection keeping the first characters of the line."""
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", "replace")
    return Rejection(name, line, field, reason, raw.strip("\r\n")[:RAW_CHARS])


def json_problem(exc: ValueError) -> str:
    """Why a line is not JSON, in the standard library's words."""
    if isinstance(exc, UnicodeDecodeError):
        return f"not valid UTF-8 ({exc.reason} at byte {exc.start})"
    if isinstance(exc, json.JSONDecodeError):
        where = f"column {exc.colno}" if exc.lineno == 1 else "the end of the line"
        return f"not valid JSON: {exc.msg} at {where}"
    return f"not valid JSON: {exc}"


# The canonical layout of the common shape, ASCII without escapes or control characters.
# Every text this matches is a JSON object that json.loads reads with these four
# strings, no other reserved key, and no string that NFC would change.
_CH = rb"[ !#-\[\]-~]"
_WS = rb"[ \t]*"
_STR1 = rb'"(' + _CH + rb'+)"'
_VALUE = rb'(?:"' + _CH + rb'*"|-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?|true|false|null)'
_ATTR = rb'"(?!(?:id|type|agency|scope|date|at|recorded_at|retracts)")' + _CH + rb'+"'


def light_layout(never: Collection[str] = ()) -> re.Pattern[bytes]:
    """The canonical layout of a line in the common shape, of no type in *never*.

    Groups: id, type, agency, date. The router excludes the types some rule
    names: their lines then fail at the type, not at the end of the line.
    """
    guard = b"".join(rb'(?!' + re.escape(t.encode()) + rb'")' for t in sorted(never) if t.isascii())
    return re.compile(
        rb"\{" + _WS
        + rb'"id"' + _WS + rb":" + _WS + _STR1 + _WS + rb"," + _WS
        + rb'"type"' + _WS + rb":" + _WS + rb'"' + guard + rb"(" + _CH + rb'+)"' + _WS + rb"," + _WS
        + rb'"agency"' + _WS + rb":" + _WS + _STR1 + _WS + rb"," + _WS
        + rb'"date"' + _WS + rb":" + _WS + rb'"([0-9]{4}-[0-9]{2}-[0-9]{2})"'
        + rb"(?:" + _WS + rb"," + _WS + _ATTR + _WS + rb":" + _WS + _VALUE + rb")*"
        + _WS + rb"\}[ \t\r\n]*\Z"
    )


LIGHT_LAYOUT = light_layout()
"""The canonical layout of a line in the common shape, of any type; groups: id, type, agency, date."""


# The usual first keys of a line, as Heads.typed_agency finds them. (Final: compiled, a
# Final name is a C constant, where another module-level name is a lookup at each use.)
_USUAL_ID: Final = '{"id": "'
_USUAL_TYPE: Final = '", "type": "'
_USUAL_AGENCY: Final = '", "agency": "'
_TRIAL = 1 << 12  # lines after which Heads chooses again what it tries first


class Heads:
    """What the batch's router reads of a raw line (see :meth:`read`), for a pack whose
    rules name the types *never* (and retractions): their lines are never light, but for
    the idle events of the types in *idle* (see :mod:`hanchot.idle`)."""

    def __init__(self, never: Collection[str], idle: Idle | None = None) -> None:
        if len(SLOW_KEYS) != 4:  # pragma: no cover - read() tests the struct's last four fields
            raise AssertionError("Heads.read expects four slow keys")
        self.never = frozenset(never) | {RETRACTION}
        idle = idle or {}
        # The types whose JSON text is their own (no quote, backslash or control character):
        # typed_agency compares the line's text between two quotes with them.
        self.never_plain = frozenset(t for t in self.never if json.dumps(t, ensure_ascii=False) == f'"{t}"')
        # For each idle type, the text of its idle attribute holding a string, as json.dumps
        # writes it: typed_agency leaves a line without it to the decode, which tells an idle one.
        self.held = {t: json.dumps(name) + ': ["' for t, (name, _) in idle.items()}
        # The attributes an idle event is checked by, decoded after the head: its type's
        # declared ones, and the one it is idle by (none of them a reserved key: see idle_by).
        self.extras = tuple(sorted({n for t, (name, _) in idle.items() for n in (name, *(a[0] for a in declared(t)))}))
        at = {name: 8 + i for i, name in enumerate(self.extras)}  # in the decoded head's tuple
        self.checks = {
            t: (at[name], agencies, tuple((at[a], always, accepts) for a, _, always, accepts in declared(t)))
            for t, (name, agencies) in idle.items()
        }
        self.decode = _c_head
        if _c_head is not None:
            self.astuple, self.unset = msgspec.structs.astuple, msgspec.UNSET
            if self.extras:
                self.decode = _head_decoder(self.extras)
        self.layout = light_layout(self.never).match
        # A line of a type the rules name is read by typed_agency alone (a few searches), but a
        # light line pays that test before its decode (or layout). So where most of the last
        # _TRIAL lines were light the decode (or layout) is tried first, else typed_agency;
        # the decode first at the start (a light-dominated log then never pays the test).
        self.seen = self.lights = 0
        self.light_first = True
        self.trial = _TRIAL

    def read(self, raw: bytes) -> tuple[str, str, str, int] | None:
        """(agency, id, date, kind) of a *light* line, (agency, "", "", 0) of another line
        whose agency is at hand, None when the router must search the line further.

        A light line is in the common shape (as :func:`common_fields` says: a test holds
        it so), ASCII without any escape (its id is the same bytes in the line and
        decoded), of a type not in ``never`` (kind :data:`~hanchot.idle.NO_ROLE`) or, with
        msgspec, an idle event (its kind as :func:`~hanchot.idle.idle_kind` says). Its date
        is not checked here. With msgspec, every such line is light, whichever test comes
        first (but an idle line that also holds its idle attribute's text with a string, when
        the text searches come first). The agency of other lines is a routing hint that the
        partition checks.
        """
        self.seen += 1
        if self.seen == self.trial:
            self.light_first, self.seen, self.lights = self.lights * 2 > self.trial, 0, 0
        if not self.light_first:
            agency = self.typed_agency(raw)
            if agency is not None:
                return agency, "", "", NO_ROLE
        # (each counts its light lines: here, testing the result would cost a tuple read a line)
        return self.decoded(raw) if self.decode is not None else self.laid_out(raw)

    def typed_agency(self, raw: bytes) -> str | None:
        """The agency of a line that begins ``{"id": "...", "type": "...", "agency": "...``
        (a common layout) with a type in ``never`` and has no other ``"type"`` text, else None;
        of a type whose events may be idle, only if the line holds the text of its idle
        attribute holding a string (such a line, with rare exceptions the partition finds,
        is not idle).

        Such a line is not light (an object's last ``"type"`` key is its type; a line that is
        not JSON is not light either), and the agency is its first ``"agency"`` key's value.
        A few searches of the text instead of a whole decode (half its instructions once compiled:
        :class:`str` methods are direct calls there, :class:`bytes`' ``find`` a generic one that
        parses a tuple of arguments). Why it holds: a quote after a space is never
        escaped, so the first ``", "type": "`` after the id, with no quote before it, ends the
        id string and starts the second key; the type and the agency end at their first quote,
        as they hold no backslash; and a nested ``"type"`` key makes the test give up.
        """
        try:
            text = raw.decode()
        except UnicodeDecodeError:
            return None
        if not text.startswith(_USUAL_ID):
            return None
        i = text.find(_USUAL_TYPE, len(_USUAL_ID))
        if i < 0 or text.find('"', len(_USUAL_ID)) != i:
            return None
        i += len(_USUAL_TYPE)
        j = text.find(_USUAL_AGENCY, i)
        if j < 0:
            return None
        event_type = text[i:j]
        if event_type not in self.never_plain:
            return None
        held = self.held.get(event_type)
        if held is not None and text.find(held, j) < 0:
            return None
        j += len(_USUAL_AGENCY)
        end = text.find('"', j)
        if end < 0:
            return None
        agency = text[j:end]
        if "\\" in agency:
            return None
        # No "type" text after the agency: each "y" is a candidate, found by memchr (a search for
        # '"type"' itself steps through the rest of the line: JSON is full of its letters).
        y = text.find("y", end + 2)
        while y >= 0:
            if text[y - 2 : y + 4] == '"type"':
                return None
            y = text.find("y", y + 1)
        return agency

    def decoded(self, raw: bytes) -> tuple[str, str, str, int] | None:
        """:meth:`read` by msgspec's decode of the line's head (the whole line's syntax checked)."""
        decode = self.decode
        assert decode is not None  # read() calls this only with msgspec
        try:  # the struct as a tuple: one call, then indexing (each attribute is a lookup by name)
            h: tuple[Any, ...] = self.astuple(decode(raw))
        except msgspec.DecodeError:
            return None
        event_id, event_type, agency, date = h[0], h[1], h[2], h[3]
        unset = self.unset
        if (  # an empty id is not light either: the router reads "" as "not light"
            event_type
            and agency
            and h[4] is unset
            and h[5] is unset
            and h[6] is unset
            and h[7] is unset
            and raw.isascii()
            and 92 not in raw  # no backslash (as an int: see is_plain)
        ):
            if event_type not in self.never:
                if event_id:
                    self.lights += 1
                return agency, event_id, date, NO_ROLE
            if event_id and event_type in self.checks:
                kind = self.idle_head_kind(event_type, agency, h)
                if kind >= 0:
                    self.lights += 1
                    return agency, event_id, date, kind
        return agency, "", "", NO_ROLE

    def idle_head_kind(self, event_type: str, agency: str, h: tuple[Any, ...]) -> int:
        """The kind of a line of an idle type (its head *h* decoded), -1 when it is not idle
        or an attribute is not as declared (the partition words the rejection)."""
        unset = self.unset
        at, agencies, checks = self.checks[event_type]
        value = h[at]
        kind = idle_kind(agencies, agency, None if value is unset else value)
        if kind >= 0:
            for i, always, accepts in checks:  # (attribute_problem's test, without making a mapping)
                value = h[i]
                if value is not unset and not accepted(value, always, accepts):
                    return -1
        return kind

    def laid_out(self, raw: bytes) -> tuple[str, str, str, int] | None:
        """:meth:`read` without msgspec: a line in the light layout, else None (the router
        then finds the agency itself)."""
        m = self.layout(raw)
        if m is None:
            return None
        self.lights += 1
        event_id, _, agency, date = m.groups()
        return agency.decode(), event_id.decode(), date.decode(), NO_ROLE
