"""Bulk inserts of plain rows: what ``QuerySet.bulk_create`` does, without building and
preparing a model instance per row (thousands of reminders in milliseconds, where the
ORM spends about a tenth of a millisecond per value).

``insert_rows(model, fields, rows)`` writes tuples of values for ``fields``; every other
concrete field gets its default (``auto_now``/``auto_now_add`` fields: the current time).
Values of fields other than text and whole numbers are converted by the field itself,
once per distinct value. ``ignore_conflicts`` skips rows that a unique constraint refuses.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connections, models, router
from django.utils import timezone

_PLAIN = (models.CharField, models.TextField, models.IntegerField, models.BooleanField)


def insert_rows(model: type[models.Model], fields: Sequence[str], rows: Sequence[tuple], *,
                ignore_conflicts: bool = False, batch_size: int = 2000) -> None:
    if not rows:
        return
    meta = model._meta
    connection = connections[router.db_for_write(model)]
    given = [meta.get_field(name) for name in fields]
    now = timezone.now()
    rest = [field for field in meta.concrete_fields
            if field not in given and not field.primary_key]
    constants = [now if getattr(field, "auto_now", False) or getattr(field, "auto_now_add",
                                                                      False)
                 else field.get_default() for field in rest]
    columns = given + rest
    converters = [None if isinstance(field, _PLAIN) or field.is_relation
                  else _converter(field, connection) for field in columns]
    constant_values = [_prepared(field, value, connection)
                       for field, value in zip(rest, constants, strict=True)]
    quote = connection.ops.quote_name
    # Names come from the model, quoted by the backend; every value is a parameter.
    sql = (f"INSERT INTO {quote(meta.db_table)} "  # noqa: S608
           f"({', '.join(quote(field.column) for field in columns)}) "
           f"VALUES ({', '.join(['%s'] * len(columns))})")
    if ignore_conflicts:
        sql = (sql.replace("INSERT INTO", "INSERT OR IGNORE INTO", 1)
               if connection.vendor == "sqlite" else sql + " ON CONFLICT DO NOTHING")
    width = len(given)
    prepared = []
    for row in rows:
        values = list(row) + constant_values
        for index in range(width):
            convert = converters[index]
            if convert is not None and values[index] is not None:
                values[index] = convert(values[index])
        prepared.append(values)
    with connection.cursor() as cursor:
        for start in range(0, len(prepared), batch_size):
            cursor.executemany(sql, prepared[start:start + batch_size])


def _prepared(field: models.Field, value, connection):
    if value is None or isinstance(field, _PLAIN) or field.is_relation:
        return value
    return field.get_db_prep_save(value, connection)


def _converter(field: models.Field, connection):
    cache: dict = {}

    def convert(value):
        try:
            key = (type(value), value)
            if key not in cache:
                cache[key] = field.get_db_prep_save(value, connection)
            return cache[key]
        except TypeError:  # not hashable (a JSON value)
            return field.get_db_prep_save(value, connection)

    return convert
