"""Reading what a request says, safely: ids in paths, numbers and text in query strings, and no
NUL bytes anywhere. Odd input gets a 400 or a 404, never a 500 from the database."""

from __future__ import annotations

from typing import Any

from flask import Flask, request
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter, Map

# Ids are PostgreSQL integers: anything larger cannot name a row (and makes the query fail).
MAX_ID = 2**31 - 1
# Text typed into a list filter: longer than any stored name or reference, short enough for LIKE.
MAX_FILTER_TEXT = 200


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: ASCII digits naming 1 to MAX_ID. Anything else (a
    non-ASCII digit such as '٣', 0, or a number too large for the column) is a 404."""

    regex = r"[0-9]{1,10}"

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:  # noqa: A002
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def whole_number(text: object, *, minimum: int = 1, maximum: int = MAX_ID) -> int | None:
    """The number `text` spells in ASCII digits, if it lies between minimum and maximum; else
    None. ('²'.isdigit() is true but int('²') fails; int('٣') is 3; 10**20 overflows a column.)"""
    value = str(text if text is not None else "").strip()
    if value.isascii() and value.isdigit() and minimum <= int(value) <= maximum:
        return int(value)
    return None


def int_arg(name: str, default: int | None = None, *, maximum: int = MAX_ID) -> int | None:
    """A whole number from the query string, 1 to maximum; anything else (missing, '²', '٣',
    10**20) reads as `default`, so a junk filter is simply not applied."""
    number = whole_number(request.args.get(name, ""), maximum=maximum)
    return default if number is None else number


def text_arg(name: str, default: str = "") -> str:
    """Text from the query string as typed (to show back in its box), cut to MAX_FILTER_TEXT."""
    return request.args.get(name, default)[:MAX_FILTER_TEXT]


class RefusedInput(BadRequest):
    """A 400 whose page says what was wrong, in words a person can act on."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _has_nul(value: Any) -> bool:
    return isinstance(value, str) and "\x00" in value


def refuse_nul_bytes() -> None:
    """before_request: a NUL byte is never part of real input (PostgreSQL cannot store one in a
    text column), so a request with one in its query, form, file names or path is refused."""
    values = [*(request.view_args or {}).values()]
    values += [part for pair in request.args.items(multi=True) for part in pair]
    if request.method == "POST":
        values += [part for pair in request.form.items(multi=True) for part in pair]
        values += [file.filename for _, file in request.files.items(multi=True)]
    if any(_has_nul(value) for value in values):
        raise RefusedInput(
            "What you sent contained a null character, which is never part of real text. "
            "Remove it and try again. Nothing was saved."
        )


def init_app(app: Flask) -> None:
    """Before any blueprint is registered, so that every `<int:...>` route uses IdConverter."""
    app.url_map.converters["int"] = IdConverter
    app.before_request(refuse_nul_bytes)
