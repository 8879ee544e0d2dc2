"""Every text a person types has a limit in its form, so nothing can be made to store 100,000
characters (a measure's counting rule once accepted 100,004)."""

from __future__ import annotations

import importlib
import pkgutil

from flask import Flask
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import Length

import portal
from tests.conftest import World, sign_in_as

# Never stored as typed: the form's version is read as a number to detect a stale form.
NOT_TEXT = (HiddenField,)


def _all_form_classes() -> list[type[FlaskForm]]:
    for module in pkgutil.walk_packages(portal.__path__, "portal."):
        importlib.import_module(module.name)
    found: list[type[FlaskForm]] = []
    pending = list(FlaskForm.__subclasses__())
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending += cls.__subclasses__()
    return [cls for cls in found if cls.__module__.startswith("portal.")]


def test_every_text_field_of_every_form_has_a_maximum_length(app: Flask) -> None:
    unlimited = []
    forms = _all_form_classes()
    with app.test_request_context():
        for cls in forms:
            form = cls(meta={"csrf": False})
            for field in form:
                if not isinstance(field, StringField | TextAreaField) or isinstance(
                    field, NOT_TEXT
                ):
                    continue
                limits = [v for v in field.validators if isinstance(v, Length) and v.max > 0]
                if len(limits) != 1 or "characters or fewer" not in (limits[0].message or ""):
                    unlimited.append(f"{cls.__module__}.{cls.__name__}.{field.name}")
    assert len(forms) > 20
    assert unlimited == []


def test_a_measures_counting_rule_is_limited(app: Flask, world: World) -> None:
    client = sign_in_as(app, world.admin)
    response = client.submit(
        "/admin/measures/new",
        {
            "code": "LONG",
            "name": "Long rule",
            "unit": "people",
            "kind": "cumulative",
            "counting_rule": "x" * 100_004,
            "evidence_guidance": "y" * 2001,
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "How it is counted must be 2000 characters or fewer" in page
    assert "Evidence expected must be 2000 characters or fewer" in page
