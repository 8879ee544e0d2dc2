"""Odd input never gets a 5xx: every route, as every role, with junk in every path parameter,
query parameter and form field."""

from __future__ import annotations

import re
import time
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote_from_bytes

import html5lib
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule
from werkzeug.test import TestResponse

from portal import PROJECT_ROOT
from portal.auth.permissions import PUBLIC, SIGNED_IN, declared_access
from portal.data import (
    commit,
    contract_imports,
    evidence,
    flags,
    living_wage,
    local_areas,
    measures,
    outbox,
    recovery,
    workforce,
)
from portal.data import spend as spend_store
from portal.data.models import Payee, User
from portal.data.types import EmailKind, FlagKind, FlagSeverity, Role
from portal.extensions import db
from tests import factories
from tests.conftest import World, sign_in_as
from tests.support import PortalClient

JUNK = {
    "nul": "a\x00b",
    "2**31": str(2**31),
    "10**20": str(10**20),
    "superscript two": "²",
    "arabic-indic three": "٣",
    "100,000 characters": "x" * 100_000,
    "lone surrogate": "\ud800",
}

# Junk a number converter might let through; the rest is refused by its pattern alike.
NUMBER_LIKE = {"2**31", "10**20", "superscript two", "arabic-indic three"}

# Every query parameter a view reads. The test below checks this list against the code, so a
# view that starts reading a new one is walked too.
QUERY_NAMES = (
    "page", "q", "kind", "status", "recipient", "contract", "next", "show", "sort", "supplier",
    "measure", "manager", "year", "quarter", "severity", "plan", "period",
    "ending-day", "ending-month", "ending-year", "public_bodies",
)  # fmt: skip


def _query_names_in_code() -> set[str]:
    names: set[str] = set()
    for source in Path(PROJECT_ROOT / "portal").rglob("*.py"):
        text = source.read_text()
        names |= set(re.findall(r"request\.args\.get\(\s*\"([\w-]+)\"", text))
        # filters read in a loop: `request.args.get(name, ...) for name in ("a", "b")`
        for loop in re.findall(r"request\.args\.get\(name.*?for name in \(([^)]*)\)", text, re.S):
            names |= set(re.findall(r"\"([\w-]+)\"", loop))
    return names


def test_the_walk_covers_every_query_parameter_the_code_reads() -> None:
    assert _query_names_in_code() - set(QUERY_NAMES) == set()


def encoded(value: str) -> str:
    """Percent-encoded UTF-8, lone surrogates included (as a hostile client could send them)."""
    return quote_from_bytes(value.encode("utf-8", "surrogatepass"), safe="")


def encoded_pairs(pairs: list[tuple[str, str]]) -> str:
    return "&".join(f"{encoded(name)}={encoded(value)}" for name, value in pairs)


def _own_ids(world: World) -> dict[Role, dict[str, int | str]]:
    """For each role, path parameters naming objects that role may see (so that the view runs
    and reads its query and form, instead of stopping at a 404)."""
    submitted = factories.submitted_return(world.contract, world.supplier_user)
    draft = factories.a_return(world.contract, world.supplier_user, quarter=2)
    flag = flags.raise_flag(
        f"test:{world.contract.id}",
        kind=FlagKind.SHORTFALL,
        severity=FlagSeverity.HIGH,
        contract_id=world.contract.id,
        summary="Behind",
    )
    recovery.add_action(
        flag,
        action="Recruit",
        owner="Site manager",
        due_on=date(2030, 1, 1),
        by=world.supplier_user,
        expected_version=flag.plan_version,
    )
    upload = contract_imports.store(world.manager, filename="ours.csv", content=b"x", rows=[])
    # The administrator walks the spend pages first with junk: the upload is theirs.
    spend_upload = spend_store.keep_upload(
        world.admin, [("ours.csv", b"Date Paid,Amount,Supplier\r\n01/04/2024,1.00,Acme\r\n")]
    )
    area = local_areas.save_default(world.council.id, name="North", codes=["M1"], by=None)
    email = outbox.enqueue(
        key="test:our-email",
        kind=EmailKind.WEEKLY_DIGEST,
        recipient=world.manager.email,
        subject="Social value: 1 new flag and 0 returns to review",
        body="Our digest",
        user_id=world.manager.id,
        council_id=world.council.id,
    )
    bystander = factories.user(Role.CONTRACT_MANAGER, world.council)
    payee = Payee(council_id=world.council.id, name="Our Payee Ltd")
    db.session.add(payee)
    commit()
    shared: dict[str, int | str] = {
        "contract_id": world.contract.id,
        "commitment_id": world.contract.commitments[0].id,
        "flag_id": flag.id,
        "action_id": flag.actions[0].id,
        "number": 1,
        "year": 2025,
        "quarter": 3,
        "file_format": "csv",
        "token": "not-a-real-token",
        "filename": "dist/portal.css",
    }
    council_ids = {
        **shared,
        "return_id": submitted.id,
        "line_id": submitted.lines[0].id,
        "file_id": evidence.files_of(draft.id)[0].id,
        "entry_id": workforce.entries_of(draft.id)[0].id,
        "import_id": upload.id,
        "upload_id": spend_upload.id,
        "area_id": area.id,
        "rate_id": living_wage.list_rates()[0].id,
        "message_id": email.id,
        "measure_id": measures.catalogue(world.council.id)[0].id,
        "organisation_id": world.supplier.id,
        "supplier_id": world.supplier.id,
        "user_id": bystander.id,
        "payee_id": payee.id,
    }
    supplier_ids = {
        **council_ids,
        "return_id": draft.id,
        "line_id": draft.lines[0].id,
        "file_id": evidence.files_of(draft.id)[0].id,
        "entry_id": workforce.entries_of(draft.id)[0].id,
    }
    return {
        Role.ADMINISTRATOR: council_ids,
        Role.CONTRACT_MANAGER: council_ids,
        Role.SUPPLIER_USER: supplier_ids,
    }


def _path(app: Flask, rule: Rule, ids: dict[str, int | str], junk: tuple[str, str] | None) -> str:
    """The rule's URL with these ids, one parameter (name, value) replaced by raw junk."""
    values = {name: ids[name] for name in rule.arguments}
    marker = "JUNKMARKER"
    if junk:
        values[junk[0]] = 1 if isinstance(values[junk[0]], int) else marker
    url = app.url_map.bind("localhost").build(rule.endpoint, values)
    if junk:
        if isinstance(ids[junk[0]], int):
            # build() refuses junk for an int parameter; put it where the number was
            url = _replace_int_segment(rule, url, junk[0], junk[1])
        else:
            url = url.replace(marker, encoded(junk[1]))
    return url


def _replace_int_segment(rule: Rule, url: str, name: str, value: str) -> str:
    pattern = re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: f"(?P<{m.group(1)}>[^/.]+)", rule.rule)
    match = re.fullmatch(pattern.replace(".(?P", r"\.(?P"), url)
    assert match, (rule.rule, url)
    start, end = match.span(name)
    return url[:start] + encoded(value) + url[end:]


def _form_fields(html: str) -> list[str]:
    """The names of the fields of the page's POST forms (not the sign-out button's)."""
    document = html5lib.parse(html, namespaceHTMLElements=False)
    names: list[str] = []
    for form in document.iter("form"):
        if (form.get("method") or "get").lower() != "post":
            continue
        for field in form.iter():
            name = field.get("name") if field.tag in ("input", "select", "textarea") else None
            if name and name != "csrf_token" and name not in names:
                names.append(name)
    return names


def _send(
    client: PortalClient, what: str, failures: list[str], url: str, **kwargs: Any
) -> TestResponse | None:
    """The response, or None (and a failure noted) if the app answered 5xx or raised (in tests
    an unhandled exception propagates instead of becoming a 500)."""
    try:
        if len(url) + len(kwargs.get("data") or "") < 100_000:
            response = client.open(url, **kwargs)
        else:
            # Pages holding 100,000 characters per field are not checked by html5lib (seconds
            # each); every other page the walk gets is.
            with client.application.app_context():
                response = FlaskClient.open(client, url, **kwargs)
    except Exception as error:  # noqa: BLE001
        failures.append(f"{what}: {type(error).__name__}: {str(error)[:150]}")
        return None
    if response.status_code >= 500:
        failures.append(f"{what}: {response.status_code}")
    return response


def _may_use(app: Flask, rule: Rule, role: Role | None) -> bool:
    access = declared_access(app.view_functions[rule.endpoint])
    if access == PUBLIC:
        return True
    if role is None:
        return False
    return access == SIGNED_IN or role in access


def _walk(
    app: Flask,
    client: PortalClient,
    user: User | None,
    role: Role | None,
    ids: dict[str, int | str],
    done: set[str],
) -> list[str]:
    failures: list[str] = []
    token = client.csrf_token("/accessibility" if user else "/sign-in")
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint == "static":
            continue
        methods = [m for m in ("GET", "POST") if m in (rule.methods or ())]
        if user is not None:
            # a POST may have signed this client out (sign-out) or changed the session
            with client.session_transaction() as session:
                session["_user_id"] = user.get_id()
                session["_fresh"] = True
        url = _path(app, rule, ids, None)
        if not _may_use(app, rule, role):
            # refused before the view runs (403, or a redirect to sign in): once is enough
            _send(client, f"{methods[0]} {url}", failures, url, method=methods[0])
            continue
        # The role's own objects in the path: the page works.
        fields: list[str] = []
        if "GET" in methods:
            page = _send(client, f"GET {url}", failures, url)
            if page is not None and page.mimetype == "text/html":
                fields = _form_fields(page.get_data(as_text=True))
        if rule.endpoint in done:
            continue  # junk once per route, by the first role that may use it: time matters
        done.add(rule.endpoint)
        # Junk in each path parameter in turn (a number: only junk that looks like one).
        for name in rule.arguments - {"file_format"}:
            for label, value in JUNK.items():
                if isinstance(ids[name], int) and label not in NUMBER_LIKE:
                    continue
                junk_url = _path(app, rule, ids, (name, value))
                for method in methods:
                    what = f"{method} {rule.rule} {name}={label}"
                    data = {"csrf_token": token}
                    _send(client, what, failures, junk_url, method=method, data=data)
        # Junk in every query parameter and every form field.
        if not fields:
            fields = ["version", "confirm", "reason", "action", "explanation"]
        for label, value in JUNK.items():
            query = encoded_pairs([(name, value) for name in QUERY_NAMES])
            if "GET" in methods:
                _send(client, f"GET {rule.rule} query={label}", failures, f"{url}?{query}")
            if "POST" in methods:
                body = encoded_pairs([("csrf_token", token)] + [(f, value) for f in fields])
                _send(
                    client,
                    f"POST {rule.rule} form={label}",
                    failures,
                    url,
                    method="POST",
                    data=body,
                    content_type="application/x-www-form-urlencoded",
                )
    return failures


def test_no_route_answers_odd_input_with_a_server_error(app: Flask, world: World) -> None:
    started = time.monotonic()
    own = _own_ids(world)
    failures: list[str] = []
    done: set[str] = set()
    for role, user in (
        (Role.ADMINISTRATOR, world.admin),
        (Role.CONTRACT_MANAGER, world.manager),
        (Role.SUPPLIER_USER, world.supplier_user),
        (None, None),
    ):
        client = sign_in_as(app, user) if user else app.test_client()
        ids = own[role or Role.ADMINISTRATOR]
        found = _walk(app, client, user, role, ids, done)
        failures += [f"{role or 'anonymous'}: {failure}" for failure in found]
    assert failures == [], "\n".join(failures)
    print(f"walked in {time.monotonic() - started:.1f} s")  # noqa: T201
    assert time.monotonic() - started < 300  # about 25 s of CPU on SQLite


def test_odd_input_gets_a_clear_400_or_a_404(app: Flask, world: World) -> None:
    manager = sign_in_as(app, world.manager)
    refused = manager.get("/council/contracts?supplier=a%00b")
    assert refused.status_code == 400
    assert "null character" in refused.get_data(as_text=True)
    token = manager.csrf_token(f"/council/contracts/{world.contract.id}/edit")
    posted = manager.post(
        f"/council/contracts/{world.contract.id}/edit",
        data={"csrf_token": token, "title": "Grounds\x00"},
    )
    assert posted.status_code == 400
    # ids that cannot exist are not found, whatever digits spell them
    for junk in (str(2**31), str(10**20), "0", "٣", "²"):
        assert manager.get(f"/council/contracts/{encoded(junk)}").status_code == 404, junk
    assert manager.get(f"/council/contracts/{2**31 - 1}").status_code == 404
    # a junk filter is not applied, and the page says nothing is filtered by it
    listed = manager.get("/council/returns/to-review?manager=%C2%B2&year=10000000000000000000")
    assert listed.status_code == 200
