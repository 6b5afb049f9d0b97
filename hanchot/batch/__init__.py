"""``hanchot batch``: a whole country's event log, partitioned by agency, on many processes.

The pipeline (see :mod:`hanchot.batch.runner`):

1. **plan** (:mod:`~hanchot.batch.plan`): agencies are grouped into *buckets*
   — an agency always with its successors (merges move duties), a province's
   agencies together where possible (broadcasts stay local);
2. **route** (:mod:`~hanchot.batch.route`, in parallel, one task per file or
   slice of at most about 64 MiB, equal slices as many as a multiple of the
   workers): each line goes to its agency's bucket. A *light*
   event — valid, in the common shape, of a type no rule pattern names (most
   events: administrative dossiers) — is recognised there and spilled as its
   id and input offset only; other lines are spilled as raw bytes, routed by
   the agency :class:`~hanchot.inputs.lines.Heads` reads (msgspec decoding the
   four common keys, else the usual first keys ``id``, ``type``, ``agency``) or
   by a byte search for the agency key. A ``scope`` (broadcast) line goes to
   every bucket with a matching agency, marked with its *home* bucket;
3. **evaluate** (:mod:`~hanchot.batch.partition`, in parallel): buckets are
   bundled into partitions of bounded size; a worker parses its partition's
   raw lines, keeps the events in a :class:`~hanchot.ledger.Ledger` scoped to
   its agencies (the same ledger as ``hanchot check``'s: duplicates,
   conflicts, retractions; light events as one integer each) and evaluates
   the rules for its agencies with one :class:`~hanchot.engine.Engine` per
   process;
4. **reconcile**: what a partition cannot see alone — an id repeated in two
   partitions, a retraction of another partition's event, a broadcast
   retracted or duplicated, a misrouted line — is detected from 64-bit id
   digests (checked in parallel) and the reports the workers return; the
   partitions involved are merged and evaluated again, so the result is
   exactly that of ``hanchot check``;
5. **write**: obligations and violations in agency order (byte-identical for
   any ``--jobs`` or scheduler), rejected lines, ``summary.json``, history.

Copies of one id are resolved by the ledger's rules (see :mod:`hanchot.ledger`),
which do not depend on the order of the input, so ``check`` and ``batch``
choose alike. What crosses processes and spill files is in
:mod:`~hanchot.batch.wire`.
"""

from __future__ import annotations

from hanchot.batch.runner import BatchOptions, BatchResult, run_batch

__all__ = ["BatchOptions", "BatchResult", "run_batch"]
