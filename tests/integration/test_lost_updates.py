"""Two people editing the same thing: the second to save, from a page older than the first's
change, is told so, keeps what they typed, and the first change stays. One race per editable
object, each through real HTTP (two signed-in test clients) and the real database."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import html5lib
import pytest
from flask import Flask
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.test import TestResponse

import portal
from portal.data import commit, living_wage, local_areas
from portal.data.models import (
    AssessmentExplanation,
    AuditEvent,
    Commitment,
    Contract,
    Flag,
    LivingWageRate,
    LocalArea,
    Measure,
    Organisation,
    Return,
    ReturnLine,
    SpendSettings,
    User,
)
from portal.data.types import ReturnStatus
from portal.extensions import db
from portal.forms import VersionedForm, VersionField
from tests import factories
from tests.conftest import World, sign_in_as
from tests.support import PortalClient

TOLD = "after you opened this page, so your changes have not been saved"


def form_on(client: PortalClient, url: str, *, action: str | None = None) -> dict[str, Any]:
    """What a browser would send from the form on the page at url (the one posting to
    `action`, or the first with a version field): every field's current value."""
    page = client.get(url)
    assert page.status_code == 200, url
    document = html5lib.parse(page.get_data(as_text=True), namespaceHTMLElements=False)
    main = document.find(".//main")
    forms = [form for form in main.iter("form") if form.get("method") == "post"]
    if action is not None:
        chosen = next(form for form in forms if form.get("action") == action)
    else:  # the page's own form: the one with a version, else (before versions) the first
        versioned = [form for form in forms if form.find(".//input[@name='version']") is not None]
        chosen = (versioned or forms)[0]
    data: dict[str, list[str]] = {}
    for name, value in _fields(chosen):
        data.setdefault(name, []).append(value)
    return {name: values[0] if len(values) == 1 else values for name, values in data.items()}


def _fields(chosen: Any) -> Iterator[tuple[str, str]]:
    for field in chosen.iter():
        name = field.get("name")
        if not name or field.tag == "button":
            continue
        if field.tag == "textarea":
            yield name, field.text or ""
        elif field.tag == "select":
            picked = field.find(".//option[@selected]")
            yield name, picked.get("value", "") if picked is not None else ""
        elif field.get("type") in ("checkbox", "radio"):
            if field.get("checked") is not None:
                yield name, field.get("value", "on")
        elif field.get("type") != "submit":
            yield name, field.get("value", "")


def race(
    first: PortalClient,
    second: PortalClient,
    url: str,
    first_change: dict[str, Any],
    second_change: dict[str, Any],
    *,
    action: str | None = None,
) -> TestResponse:
    """Both open the page; the first saves; the second saves from the older page."""
    first_form = form_on(first, url, action=action)
    second_form = form_on(second, url, action=action)
    saved = first.post(action or url, data={**first_form, **first_change})
    assert saved.status_code == 302, saved.get_data(as_text=True)
    return second.post(action or url, data={**second_form, **second_change})


def told_and_kept(response: TestResponse, typed: str) -> str:
    html = response.get_data(as_text=True)
    assert response.status_code in (200, 409)
    assert TOLD in html
    assert "govuk-error-summary" in html
    assert typed in html, "what the second person typed is not in the form"
    return html


def stored(model: Any, row_id: int) -> Any:
    db.session.expire_all()
    return db.session.get(model, row_id)


@pytest.fixture
def colleague(app: Flask, world: World) -> PortalClient:
    """A second contract manager of the same council, signed in separately."""
    user = factories.user(world.manager.role, world.council, email="cm3@northmoor.example")
    commit()
    return sign_in_as(app, user)


@pytest.fixture
def admin2(app: Flask, world: World) -> PortalClient:
    user = factories.user(world.admin.role, world.council, email="admin2@northmoor.example")
    commit()
    return sign_in_as(app, user)


# Returns: a form posted without its version is refused, never taken as fresh.


@pytest.fixture
def ret(world: World, as_supplier: PortalClient) -> Return:
    local_areas.save_default(world.council.id, name="City", codes=["M1"], by=None)
    commit()
    response = as_supplier.submit(
        f"/supplier/contracts/{world.contract.id}/returns/2025/1",
        form_page=f"/supplier/contracts/{world.contract.id}",
    )
    assert response.status_code == 302
    started = db.session.scalar(select(Return))
    assert started is not None
    return started


def test_a_return_line_posted_without_its_version_does_not_overwrite_a_newer_narrative(
    world: World, as_supplier: PortalClient, ret: Return
) -> None:
    line = ret.lines[0]
    url = f"/supplier/returns/{ret.id}/lines/{line.id}"
    fields = {"figure": "3", "nil_reason": ""}
    saved = as_supplier.submit(url, {**fields, "narrative": "Newer words", "version": ret.version})
    assert saved.status_code == 302
    refused = as_supplier.submit(
        url, {**fields, "narrative": "Old words, no version", "version": None}
    )
    told_and_kept(refused, "Old words, no version")
    assert stored(ReturnLine, line.id).narrative == "Newer words"


def test_two_people_saving_the_same_return_line(
    app: Flask, world: World, as_supplier: PortalClient, ret: Return
) -> None:
    other = sign_in_as(
        app, factories.user(world.supplier_user.role, world.supplier, email="al@acme.example")
    )
    commit()
    line = ret.lines[0]
    url = f"/supplier/returns/{ret.id}/lines/{line.id}"
    response = race(
        as_supplier,
        other,
        url,
        {"figure": "3", "narrative": "First words", "nil_reason": ""},
        {"figure": "4", "narrative": "Second words", "nil_reason": ""},
    )
    told_and_kept(response, "Second words")
    assert stored(ReturnLine, line.id).narrative == "First words"


def test_two_managers_editing_the_same_contract(
    world: World, as_manager: PortalClient, colleague: PortalClient
) -> None:
    url = f"/council/contracts/{world.contract.id}/edit"
    response = race(as_manager, colleague, url, {"title": "First title"}, {"title": "Second title"})
    html = told_and_kept(response, "Second title")
    assert "this contract" in html
    assert "What is saved now" in html and "First title" in html
    assert stored(Contract, world.contract.id).title == "First title"


def test_two_managers_editing_the_same_commitment(
    world: World, as_manager: PortalClient, colleague: PortalClient
) -> None:
    commitment = world.contract.commitments[0]
    url = f"/council/contracts/{world.contract.id}/commitments/{commitment.id}/edit"
    response = race(
        as_manager,
        colleague,
        url,
        {"target": "17", "note": "First note", "reason": "Agreed"},
        {"target": "23", "note": "Second note", "reason": "Agreed"},
    )
    told_and_kept(response, "Second note")
    saved = stored(Commitment, commitment.id)
    assert (saved.target, saved.note) == (17, "First note")


def test_retiring_a_commitment_changed_meanwhile(
    world: World, as_manager: PortalClient, colleague: PortalClient
) -> None:
    commitment = world.contract.commitments[0]
    base = f"/council/contracts/{world.contract.id}/commitments/{commitment.id}"
    stale = form_on(colleague, f"{base}/retire")
    changed = as_manager.submit(f"{base}/edit", {"target": "17", "note": "", "reason": "Agreed"})
    assert changed.status_code == 302
    response = colleague.post(f"{base}/retire", data={**stale, "reason": "No longer needed"})
    told_and_kept(response, "No longer needed")
    assert stored(Commitment, commitment.id).retired_at is None


def test_two_managers_saving_the_same_quarterly_profile(
    world: World, as_manager: PortalClient, colleague: PortalClient
) -> None:
    commitment = world.contract.commitments[0]
    url = f"/council/contracts/{world.contract.id}/commitments/{commitment.id}/profile"
    quarters = sorted(name for name in form_on(as_manager, url) if name.startswith("q-"))
    target = format(commitment.target.normalize(), "f")

    def all_in(chosen: str) -> dict[str, str]:
        return {name: target if name == chosen else "0" for name in quarters} | {"action": "save"}

    response = race(as_manager, colleague, url, all_in(quarters[0]), all_in(quarters[-1]))
    html = told_and_kept(
        response, f'name="{quarters[-1]}" type="text" spellcheck="false" value="{target}"'
    )
    assert "What is saved now" in html and "An even spread" not in html
    plan = {
        (p.financial_year, p.quarter): p.planned for p in stored(Commitment, commitment.id).plan
    }
    assert max(plan.values()) == commitment.target
    assert plan[min(plan)] == commitment.target  # the first manager's profile


def test_two_administrators_editing_the_same_organisation(
    world: World, as_admin: PortalClient, admin2: PortalClient
) -> None:
    url = f"/admin/organisations/{world.council.id}/edit"
    response = race(as_admin, admin2, url, {"name": "Northmoor One"}, {"name": "Northmoor Two"})
    html = told_and_kept(response, "Northmoor Two")
    assert "What is saved now" in html and "Northmoor One" in html
    assert stored(Organisation, world.council.id).name == "Northmoor One"


def test_two_administrators_editing_the_same_measure(
    world: World, as_admin: PortalClient, admin2: PortalClient
) -> None:
    measure = world.contract.commitments[0].measure
    url = f"/admin/measures/{measure.id}/edit"
    response = race(
        as_admin,
        admin2,
        url,
        {"counting_rule": "First rule"},
        {"counting_rule": "Second rule"},
        action=None,
    )
    told_and_kept(response, "Second rule")
    assert stored(Measure, measure.id).counting_rule == "First rule"


def test_retiring_a_measure_from_an_older_page_does_not_undo_a_change(
    world: World, as_admin: PortalClient, admin2: PortalClient
) -> None:
    measure = world.contract.commitments[0].measure
    edit = f"/admin/measures/{measure.id}/edit"
    retire = f"/admin/measures/{measure.id}/retire"
    first = form_on(as_admin, edit, action=retire)
    stale = form_on(admin2, edit, action=retire)
    assert as_admin.post(retire, data=first).status_code == 302  # retired
    response = admin2.post(retire, data=stale, follow_redirects=True)  # meant to retire too
    assert TOLD in response.get_data(as_text=True)
    assert stored(Measure, measure.id).is_retired


def test_two_administrators_editing_the_same_local_area(
    world: World, as_admin: PortalClient, admin2: PortalClient
) -> None:
    area = local_areas.save_default(world.council.id, name="City", codes=["M1"], by=None)
    commit()
    url = f"/admin/local-areas/{area.id}/edit"
    response = race(as_admin, admin2, url, {"codes": "M1\nM2"}, {"codes": "M1\nM9"})
    html = told_and_kept(response, "M9")
    assert "What is saved now" in html and "M1, M2" in html
    assert stored(LocalArea, area.id).codes == ["M1", "M2"]


def test_two_managers_waiving_the_same_flag(
    flag: Flag, as_manager: PortalClient, colleague: PortalClient
) -> None:
    url = f"/council/flags/{flag.id}"
    action = None  # the waive form posts to the page itself
    first = form_on(as_manager, url, action=action)
    second = form_on(colleague, url, action=action)
    saved = as_manager.post(url, data={**first, "reason": "Agreed variation"})
    assert saved.status_code == 302
    response = colleague.post(url, data={**second, "reason": "Supplier went into administration"})
    told_and_kept(response, "Supplier went into administration")
    assert stored(Flag, flag.id).waived_reason == "Agreed variation"


def test_a_waiver_posted_without_its_version_is_refused(
    flag: Flag, as_manager: PortalClient
) -> None:
    url = f"/council/flags/{flag.id}"
    response = as_manager.submit(url, {"reason": "No version sent", "version": None})
    told_and_kept(response, "No version sent")
    assert stored(Flag, flag.id).waived_reason is None


def test_a_supplier_and_a_colleague_changing_the_same_recovery_plan(
    app: Flask, world: World, flag: Flag, as_supplier: PortalClient
) -> None:
    other = sign_in_as(
        app, factories.user(world.supplier_user.role, world.supplier, email="al@acme.example")
    )
    commit()
    url = f"/supplier/flags/{flag.id}"
    due = date.today() + timedelta(days=30)
    boxes = [str(due.day), str(due.month), str(due.year)]
    response = race(
        as_supplier,
        other,
        url,
        {"action": "Send the payroll extract", "owner": "Sam", "due_on": boxes},
        {"action": "Ask the auditor", "owner": "Al", "due_on": boxes},
    )
    told_and_kept(response, "Ask the auditor")
    assert [a.action for a in stored(Flag, flag.id).actions] == ["Send the payroll extract"]


def test_a_review_from_a_page_older_than_the_acceptance_is_told_and_keeps_the_query(
    world: World, as_manager: PortalClient, colleague: PortalClient
) -> None:
    submitted = factories.submitted_return(world.contract, world.supplier_user)
    commit()
    url = f"/council/returns/{submitted.id}"
    lines = [line.id for line in submitted.lines]
    accept = {f"review-{line}": "accepted" for line in lines}
    query = accept | {f"review-{lines[0]}": "queried", f"comment-{lines[0]}": "Which payroll?"}
    response = race(as_manager, colleague, url, accept, query)
    html = told_and_kept(response, "Which payroll?")
    assert "Your review (not saved)" in html
    assert 'name="reopen-reason"' in html  # the current state: accepted, and can be reopened
    saved = stored(Return, submitted.id)
    assert saved.status is ReturnStatus.ACCEPTED
    assert all(line.review_comment is None for line in saved.lines)


def press(client: PortalClient, url: str, page: str | None = None) -> TestResponse:
    """Press the button posting to url, on page (default: url itself)."""
    return client.post(url, data=form_on(client, page or url, action=url if page else None))


def test_deactivating_a_user_changed_meanwhile(
    world: World, as_admin: PortalClient, admin2: PortalClient
) -> None:
    user = world.manager
    page, reactivate = f"/admin/users/{user.id}", f"/admin/users/{user.id}/reactivate"
    deactivate = f"/admin/users/{user.id}/deactivate"
    stale = form_on(admin2, deactivate)
    assert press(as_admin, deactivate).status_code == 302
    assert (
        as_admin.post(reactivate, data=form_on(as_admin, page, action=reactivate)).status_code
        == 302
    )
    # The second administrator's page was loaded before both changes.
    response = admin2.post(deactivate, data=stale, follow_redirects=True)
    assert TOLD in response.get_data(as_text=True)
    assert stored(User, user.id).is_active


def test_reactivating_from_an_older_page_is_refused(
    world: World, as_admin: PortalClient, admin2: PortalClient
) -> None:
    user = world.manager
    page, reactivate = f"/admin/users/{user.id}", f"/admin/users/{user.id}/reactivate"
    deactivate = f"/admin/users/{user.id}/deactivate"
    assert press(as_admin, deactivate).status_code == 302
    stale = form_on(admin2, page, action=reactivate)
    assert (
        as_admin.post(reactivate, data=form_on(as_admin, page, action=reactivate)).status_code
        == 302
    )
    assert press(as_admin, deactivate).status_code == 302
    response = admin2.post(reactivate, data=stale, follow_redirects=True)
    assert TOLD in response.get_data(as_text=True)
    assert not stored(User, user.id).is_active


@pytest.mark.parametrize("written_before", [False, True])
def test_two_managers_writing_the_same_assessment_explanation(
    world: World, as_manager: PortalClient, colleague: PortalClient, written_before: bool
) -> None:
    url = f"/council/contracts/{world.contract.id}/assessment?period=fy-2025"
    if written_before:
        assert as_manager.submit(url, {"explanation": "Draft"}).status_code == 302
    response = race(
        as_manager,
        colleague,
        url,
        {"explanation": "A recovery plan was agreed."},
        {"explanation": "The supplier missed every target."},
    )
    told_and_kept(response, "The supplier missed every target.")
    [explained] = db.session.scalars(select(AssessmentExplanation)).all()
    db.session.refresh(explained)
    assert explained.explanation == "A recovery plan was agreed."


# Every form, classified: one that changes a stored object carries the version it was loaded at.

EDIT_FORMS = {
    # returns and recovery plans (the pattern the others follow)
    "portal.supplier.forms.LineForm",
    "portal.supplier.forms.DerivedLineForm",
    "portal.supplier.forms.PersonForm",
    "portal.supplier.forms.UploadForm",
    "portal.supplier.forms.EvidenceForm",
    "portal.supplier.forms.SubmitReturnForm",
    "portal.supplier.forms.ActionForm",
    "portal.supplier.forms.RecoveryActionForm",
    "portal.supplier.forms.ChangeActionForm",
    "portal.supplier.forms.ActionDoneForm",
    # contracts, commitments and their profiles, flags, assessments
    "portal.council.forms.ContractForm",
    "portal.council.forms.CommitmentChangeForm",
    "portal.council.forms.RetireCommitmentForm",
    "portal.council.forms.WaiveFlagForm",
    "portal.council.forms.PlanAnswerForm",
    "portal.council.forms.ExplanationForm",
    # the administrators' catalogue, organisations, local areas
    "portal.admin.forms.OrganisationForm",
    "portal.admin.forms.MeasureForm",
    "portal.admin.forms.LocalAreaForm",
    "portal.admin.forms.LivingWageRateForm",
    "portal.admin.forms.SpendSettingsForm",
    # a payee of the council's spend files: its supplier, its classification, merging into it
    "portal.council.forms.PayeeMatchForm",
    "portal.council.forms.PayeeClassificationForm",
    "portal.council.forms.MergePayeesForm",
    # buttons that change a stored object: a profile, a measure, a user, a commitment
    "portal.forms.ConfirmChangeForm",
}
OTHER_FORMS = {
    "portal.forms.VersionedForm": "the base of the edit forms",
    "portal.admin.forms.ConfirmForm": "a button that changes nothing stored by itself, or "
    "whose page carries the version itself (the review of a return)",
    "portal.admin.forms.InviteForm": "creates a user",
    "portal.admin.forms.SupplierInviteForm": "creates a user",
    "portal.council.forms.CommitmentForm": "adds a commitment",
    "portal.council.forms.ImportForm": "uploads a file of new contracts",
    "portal.council.forms.SpendUploadForm": "uploads spend files, kept until loaded",
    "portal.council.forms.SpendColumnsForm": "loads an upload (a file loaded twice adds nothing)",
    "portal.council.forms.SpendOverlapForm": "answers whether to replace payments of dates "
    "already loaded",
    "portal.council.forms.ConfirmImportForm": "creates the contracts of an upload",
    "portal.council.forms.AssessmentPeriodForm": "chooses a period to show",
    "portal.council.forms.ClassificationUploadForm": "classifies many payees from a file "
    "downloaded at any time (each row names its payee; the changes are audited)",
    "portal.auth.forms.SignInForm": "signs in",
    "portal.auth.forms.ForgotPasswordForm": "asks for a link",
    "portal.auth.forms.SetPasswordForm": "a person's own password, behind a single-use link",
    "portal.auth.forms.SignOutOthersForm": "ends the person's own other sessions",
}


def _portal_forms() -> set[type]:
    for module in pkgutil.walk_packages(portal.__path__, "portal."):
        importlib.import_module(module.name)
    found: set[type] = set()
    waiting = [FlaskForm]
    while waiting:
        for subclass in waiting.pop().__subclasses__():
            waiting.append(subclass)
            if subclass.__module__.startswith("portal."):
                found.add(subclass)
    return found


def test_every_form_that_edits_a_stored_object_carries_its_version() -> None:
    forms = {f"{form.__module__}.{form.__qualname__}": form for form in _portal_forms()}
    unclassified = sorted(set(forms) - EDIT_FORMS - set(OTHER_FORMS))
    assert not unclassified, f"say whether these edit a stored object: {unclassified}"
    assert not (EDIT_FORMS | set(OTHER_FORMS)) - set(forms), "a listed form no longer exists"
    for name in EDIT_FORMS:
        version = getattr(forms[name], "version")  # noqa: B009 (the unbound field)
        assert issubclass(forms[name], VersionedForm), name
        assert version.field_class is VersionField, name


EDIT_PAGES = {
    "contract": ("/council/contracts/{contract}/edit", {"title": "Typed"}),
    "commitment": (
        "/council/contracts/{contract}/commitments/{commitment}/edit",
        {"note": "Typed", "target": "17", "reason": "Typed"},
    ),
    "organisation": ("/admin/organisations/{council}/edit", {"name": "Typed"}),
    "measure": ("/admin/measures/{measure}/edit", {"counting_rule": "Typed"}),
    "local area": ("/admin/local-areas/{area}/edit", {"name": "Typed"}),
    "flag": ("/council/flags/{flag}", {"reason": "Typed"}),
}


@pytest.mark.parametrize("what", sorted(EDIT_PAGES))
def test_an_edit_posted_without_its_version_is_refused(
    world: World, as_admin: PortalClient, flag: Flag, what: str
) -> None:
    area = local_areas.save_default(world.council.id, name="City", codes=["M1"], by=None)
    commit()
    commitment = world.contract.commitments[0]
    ids = {
        "contract": world.contract.id,
        "commitment": commitment.id,
        "council": world.council.id,
        "measure": commitment.measure.id,
        "area": area.id,
        "flag": flag.id,
        "rate": living_wage.list_rates()[0].id,
    }
    template, typed = EDIT_PAGES[what]
    url = template.format(**ids)
    client = (
        as_admin if url.startswith("/admin") else sign_in_as(as_admin.application, world.manager)
    )
    sent = {**form_on(client, url), **typed}
    sent.pop("version", None)
    before = audit_count()
    response = client.post(url, data=sent)
    told_and_kept(response, "Typed")
    assert audit_count() == before, f"the {what} was changed by a form without its version"


def audit_count() -> int:
    db.session.expire_all()
    return len(db.session.scalars(select(AuditEvent)).all())


def test_two_administrators_changing_the_same_living_wage_rate(
    world: World, as_admin: PortalClient, admin2: PortalClient
) -> None:
    rate = living_wage.list_rates()[0]
    url = f"/admin/living-wage/{rate.id}/edit"
    response = race(as_admin, admin2, url, {"hourly_rate": "13.50"}, {"hourly_rate": "13.99"})
    html = told_and_kept(response, "13.99")
    assert "What is saved now" in html and "13.50" in html
    assert stored(LivingWageRate, rate.id).hourly_rate == Decimal("13.50")


def test_two_administrators_changing_the_spend_settings(
    world: World, as_admin: PortalClient, admin2: PortalClient
) -> None:
    url = "/admin/spend-settings"
    first = {"top_n": "250", "wider_area": "", "public_body_words": "council"}
    assert as_admin.submit(url, first).status_code == 302  # the first save
    response = race(as_admin, admin2, url, {"top_n": "200"}, {"top_n": "150"})
    html = told_and_kept(response, "150")
    assert "What is saved now" in html and "200" in html
    assert stored(SpendSettings, world.council.id).top_n == 200


def test_marking_a_supplier_accredited_from_an_older_page_is_refused(
    world: World, as_admin: PortalClient, admin2: PortalClient
) -> None:
    supplier = factories.supplier("Canal Street Bakery CIC")
    factories.contract(world.council, supplier, world.manager, reference="NCC-050")
    commit()
    url = f"/admin/organisations/{supplier.id}/edit"
    response = race(
        as_admin,
        admin2,
        url,
        {"name": "Canal Street Bakery"},
        {"is_living_wage_employer": "y"},
    )
    html = told_and_kept(response, "Canal Street Bakery CIC")
    assert 'name="is_living_wage_employer" type="checkbox" value="y" checked' in html  # kept
    saved = stored(Organisation, supplier.id)
    assert saved.name == "Canal Street Bakery" and not saved.is_living_wage_employer
