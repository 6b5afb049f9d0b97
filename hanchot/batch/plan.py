"""Which agencies go together: buckets, and where a broadcast event goes."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from hanchot.inputs.records import Agency, nfc


def _components(agencies: Sequence[Agency]) -> list[list[Agency]]:
    """Agencies linked by ``successor`` (in either direction), each group sorted by id."""
    parent = {a.id: a.id for a in agencies}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a in agencies:
        if a.successor and a.successor in parent:
            ra, rb = find(a.id), find(a.successor)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    groups: dict[str, list[Agency]] = {}
    for a in agencies:
        groups.setdefault(find(a.id), []).append(a)
    return [sorted(g, key=lambda a: a.id) for g in groups.values()]


@dataclass
class Plan:
    """Agencies in buckets. Picklable: route tasks receive it."""

    agencies: tuple[Agency, ...]
    buckets: int
    bucket_of: dict[str, int]
    _scope_cache: dict[str, tuple[int, ...]] = field(default_factory=dict, repr=False)

    @classmethod
    def build(cls, agencies: Iterable[Agency], buckets: int = 128) -> Plan:
        """Up to *buckets* buckets of similar agency counts, by province then id."""
        agencies = tuple(sorted(agencies, key=lambda a: a.id))
        groups = _components(agencies)
        groups.sort(key=lambda g: (g[0].province or "", g[0].id))
        n = max(1, min(buckets, len(groups)))
        per = len(agencies) / n
        bucket_of: dict[str, int] = {}
        b, filled = 0, 0
        for g in groups:
            if filled >= per * (b + 1) and b < n - 1:
                b += 1
            for a in g:
                bucket_of[a.id] = b
            filled += len(g)
        return cls(agencies, max(bucket_of.values(), default=0) + 1, bucket_of)

    def members(self) -> list[list[str]]:
        """The agency ids of each bucket."""
        out: list[list[str]] = [[] for _ in range(self.buckets)]
        for agency, b in self.bucket_of.items():
            out[b].append(agency)
        return out

    def scope_buckets(self, scope: Mapping[str, Any]) -> tuple[int, ...]:
        """The buckets holding an agency the broadcast *scope* selects (any date)."""
        key = json.dumps(scope, sort_keys=True, ensure_ascii=False, default=str)
        found = self._scope_cache.get(key)
        if found is None:
            wanted = {nfc(k): _nfc_value(v) for k, v in scope.items()}
            try:
                found = tuple(sorted({self.bucket_of[a.id] for a in self.agencies if a.matches(wanted)}))
            except TypeError:  # an unhashable selector value: the worker rejects the line
                found = ()
            self._scope_cache[key] = found
        return found


def _nfc_value(value: Any) -> Any:
    if isinstance(value, str):
        return nfc(value)
    if isinstance(value, list):
        return [nfc(v) if isinstance(v, str) else v for v in value]
    return value
