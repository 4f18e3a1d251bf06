"""Bulk writes for big batches (imports and partner feeds): the same rows the ORM would write, written faster.

``insert_many(model, objs)``
    Insert unsaved objects and give them their primary keys, like ``bulk_create``. On PostgreSQL a big batch goes
    in with ``COPY`` (keys drawn from the table's sequence first), which skips building and parsing one huge INSERT
    statement; a few rows, and other databases, use ``bulk_create``. Field defaults and ``auto_now`` values are
    filled in as by ``save``.
``history_snapshot(model, ids, *, history_type, user=None)``
    Write one django-simple-history row per id, copied in SQL from the rows as they stand now: what ``save()``
    records through its signal, without building a model instance a row.

Neither sends signals: callers use them where they write rows in bulk on purpose.
"""

import datetime
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.db import connection
from django.utils import timezone

_READY = (str, int, float, Decimal, datetime.date, datetime.datetime, bool, type(None))
_CHUNK = 500  # ids per statement: well under every database's limit on query parameters
COPY_FROM_ROWS = 100  # below this, one INSERT beats COPY's extra round trips (the sequence, the copy protocol)


def _value(field, obj):
    """The value ``field`` stores for ``obj`` (an unsaved instance: every field is set), as the driver takes it."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        value = field.pre_save(obj, add=True)  # fills in the time, as save() does
    else:
        value = obj.__dict__[field.attname]  # the stored value itself, past descriptors that wrap it (countries)
    if type(value) in _READY:
        return value
    if isinstance(value, str):  # a TextChoices member: its value
        return str(value)
    return field.get_db_prep_save(value, connection)


def insert_many(model, objs: Sequence) -> None:
    """Insert ``objs`` (unsaved instances of ``model``) and set their primary keys."""
    if not objs:
        return
    if connection.vendor != "postgresql" or len(objs) < COPY_FROM_ROWS:
        model._default_manager.bulk_create(objs)
        return
    meta = model._meta
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(column) for column in [meta.pk.column, *(field.column for field in fields)])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(objs)],
        )
        ids = [row[0] for row in cursor.fetchall()]
        # The driver's own cursor: Django's wrapper has no COPY. Its errors still become Django's (IntegrityError...).
        with (
            connection.wrap_database_errors,
            cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy,
        ):
            for obj, pk in zip(objs, ids, strict=True):
                copy.write_row([pk, *(_value(field, obj) for field in fields)])
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias


def _chunks(values: Sequence, size: int) -> Iterable[Sequence]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def history_snapshot(model, ids: Sequence[int], *, history_type: str, user=None) -> None:
    """Record the rows ``ids`` of ``model`` in its simple-history table as created ("+") or changed ("~")."""
    if not ids:
        return
    history = model.history.model
    quote = connection.ops.quote_name
    tracked = [field.column for field in history._meta.concrete_fields if not field.name.startswith("history_")]
    extra = ["history_date", "history_change_reason", "history_type", "history_user_id"]
    now = timezone.now()
    user_id = getattr(user, "pk", None)
    target, source = quote(history._meta.db_table), quote(model._meta.db_table)
    columns, copied = ", ".join(quote(c) for c in [*tracked, *extra]), ", ".join(quote(c) for c in tracked)
    key = quote(model._meta.pk.column)
    # Names come from the models; every value is a parameter.
    insert = f"INSERT INTO {target} ({columns}) SELECT {copied}, %s, NULL, %s, %s FROM {source} WHERE {key} IN "  # noqa: S608
    with connection.cursor() as cursor:
        for chunk in _chunks(list(ids), _CHUNK):
            cursor.execute(f"{insert}({', '.join(['%s'] * len(chunk))})", [now, history_type, user_id, *chunk])
