"""Why a score field a mapping names is missing from the site, and what the admin can do about it.

Other admins delete and rename custom fields. The write ledger remembers which field id each
score field name was written to, so the explanation can tell a deleted field (``kpiokr setup``
creates it again) from a renamed one (name the new name in ``[score_fields]``, or rename it back).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sync.errors import FieldNotFound
from sync.jira import FieldInfo

#: Field name -> (field id, when) of kpiokr's newest write under that name (``Store.field_ids_written``).
Written = Mapping[str, tuple[str, datetime]]


def explain_missing(
    name: str, setting: str, fields: Sequence[FieldInfo], written: Written, error: FieldNotFound
) -> str:
    """What happened to the score field ``name`` (the value of ``setting`` in ``[score_fields]``) and the fix."""
    if error.reason:
        return str(error)  # e.g. two fields have the name: the error says to name the one meant by its id
    if name in written:
        field_id, at = written[name]
        when = f"kpiokr last wrote these scores to {field_id} on {at:%Y-%m-%d}"
        now = next((f for f in fields if f.id == field_id), None)
        if now is not None:
            return (
                f"no field named {name!r} on the site: {when}, which Jira now calls {now.name!r} (the field was"
                f" renamed). Set {setting} = {now.name!r} in [score_fields], or rename the field back to {name!r}"
                " in Jira."
            )
        return (
            f"no field named {name!r} on the site: {when}, which no longer exists (the field was deleted). Run"
            f" `kpiokr setup` to create {name!r} again (the next sync writes every score into it), or set"
            f" {setting} in [score_fields] to the name of another field."
        )
    close = f" (did you mean {', '.join(repr(m) for m in error.close_matches)}?)" if error.close_matches else ""
    return (
        f"no field named {name!r} on the site{close}. Run `kpiokr setup` to create it, or set {setting} in"
        " [score_fields] to the name of an existing field."
    )
