"""Downloads: council staff get a return's files exactly when they can see its review page, CSV
evidence is served formula-safe while the stored original keeps its hash, and no download is
kept in a cache."""

from __future__ import annotations

import hashlib

from flask import Flask

from portal.data import commit, evidence, returns
from portal.data.models import Return, User
from portal.domain.evidence import check_file
from tests import factories
from tests.conftest import World, sign_in_as

HOSTILE_CSV = b'Worker,Hours\r\n=1+1,37\r\n+SUM(A1),@cmd\r\n-2+3,\tx\r\nplain,=HYPERLINK("x")\r\n'


def _submit(ret: Return, by: User) -> None:
    for line in ret.lines:
        line.figure, line.narrative, line.nil_reason = 0, "n/a", "none"
    returns.submit(ret, by=by, declaration="ok", workforce_records=1, evidence=[])
    commit()


def test_council_staff_see_a_returns_files_exactly_when_they_see_its_review_page(
    app: Flask, world: World
) -> None:
    ret = factories.a_return(world.contract, world.supplier_user)
    file = evidence.files_of(ret.id)[0]
    commit()
    urls = [
        f"/council/returns/{ret.id}",
        f"/council/returns/{ret.id}/evidence/{file.id}",
        f"/council/returns/{ret.id}/people.csv",
        f"/council/returns/{ret.id}/people.xlsx",
    ]
    for user in (world.manager, world.admin):
        client = sign_in_as(app, user)
        assert [client.get(url).status_code for url in urls] == [404] * 4  # a draft
    _submit(ret, world.supplier_user)
    for user in (world.manager, world.admin):
        client = sign_in_as(app, user)
        assert [client.get(url).status_code for url in urls] == [200] * 4
    # the supplier always sees their own files
    supplier = sign_in_as(app, world.supplier_user)
    assert supplier.get(f"/supplier/returns/{ret.id}/evidence/{file.id}").status_code == 200


def test_csv_evidence_is_served_formula_safe_and_stored_as_sent(app: Flask, world: World) -> None:
    ret = factories.a_return(world.contract, world.supplier_user)
    checked = check_file("figures.csv", HOSTILE_CSV, max_bytes=10**6)
    stored = evidence.attach(
        ret.id, checked, HOSTILE_CSV, commitment_id=None, by=world.supplier_user
    )
    _submit(ret, world.supplier_user)
    response = sign_in_as(app, world.manager).get(f"/council/returns/{ret.id}/evidence/{stored.id}")
    assert response.status_code == 200
    served = response.get_data().decode("utf-8-sig").splitlines()
    assert served == [
        "Worker,Hours",
        "'=1+1,37",
        "'+SUM(A1),'@cmd",
        "'-2+3,'\tx",
        'plain,"\'=HYPERLINK(""x"")"',
    ]
    # the stored original, and the hash shown for it, are what the supplier sent
    assert evidence.content_of(stored) == HOSTILE_CSV
    assert stored.sha256 == hashlib.sha256(HOSTILE_CSV).hexdigest()


def test_no_download_and_no_page_may_be_cached(app: Flask, world: World) -> None:
    ret = factories.a_return(world.contract, world.supplier_user)
    file = evidence.files_of(ret.id)[0]
    _submit(ret, world.supplier_user)
    manager = sign_in_as(app, world.manager)
    supplier = sign_in_as(app, world.supplier_user)
    for client, url in [
        (manager, f"/council/returns/{ret.id}/evidence/{file.id}"),
        (manager, f"/council/returns/{ret.id}/people.xlsx"),
        (manager, "/council/contracts/export.csv"),
        (manager, "/council/flags/export.xlsx"),
        (supplier, f"/supplier/returns/{ret.id}/evidence/{file.id}"),
        (supplier, "/supplier/workforce-template.csv"),
        (manager, "/council/contracts"),
        (manager, "/healthz"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers.get("Cache-Control") == "no-store", url
    assert "no-store" not in (
        manager.get("/static/dist/portal.css").headers.get("Cache-Control") or ""
    )
