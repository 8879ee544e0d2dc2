"""The payees of the council's spend files (design brief section 5b, issue 15 items 2 and 3):
matching them to portal suppliers, merging spellings, and classifying them one by one or in
bulk through a downloaded file. Council staff only."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from portal import exports, logs, spreadsheets
from portal.auth.permissions import council_staff
from portal.council.forms import (
    MATCH_CHOICES,
    ClassificationUploadForm,
    MergePayeesForm,
    PayeeClassificationForm,
    PayeeMatchForm,
)
from portal.council.views import council, page_number
from portal.data import commit, organisations, rollback, spend, versions
from portal.data.models import Payee
from portal.domain.spend import (
    CLASSIFICATION_COLUMNS,
    DEFAULT_PUBLIC_BODY_PATTERNS,
    PAYEE_REFERENCE,
    looks_like_public_body,
    plan_classification,
    yes_no_cell,
)
from portal.editing import conflicted, refused_if_stale
from portal.formatting import count, listing, money
from portal.forms import conflict_message
from portal.request_input import text_arg
from portal.template_helpers import year_label

PAYEE_CONFLICT = conflict_message("this payee")
BULK_CONFLICT = (
    "Someone else changed one of these payees while your file was being saved, so nothing has"
    " been saved. Upload the file again"
)
ANSWERS = {"yes": True, "no": False, "unknown": None}


def _answer(flag: bool | None) -> str:
    return "unknown" if flag is None else "yes" if flag else "no"


def _patterns() -> list[str] | tuple[str, ...]:
    settings = spend.settings_of(current_user.organisation_id)
    if settings is not None and settings.public_body_patterns:
        return settings.public_body_patterns
    return DEFAULT_PUBLIC_BODY_PATTERNS


def _payee(payee_id: int) -> Payee:
    return spend.payee_of(current_user.organisation_id, payee_id) or abort(404)


# The list


@council.route("/spend/payees")
@council_staff
def list_payees() -> str:
    show = request.args.get("show", "all")
    args = {"show": show if show in ("all", "decisions") else "all", "q": text_arg("q")}
    council_id = current_user.organisation_id
    page = spend.list_payees(
        council_id,
        search=args["q"],
        needs_decision=args["show"] == "decisions",
        page=page_number(),
    )
    patterns = _patterns()
    latest = spend.latest_year(council_id)
    return render_template(
        "council/payees.html",
        page=page,
        args=args,
        latest=year_label(latest) if latest is not None else None,
        proposed_public={
            row.payee.id
            for row in page.items
            if row.payee.is_public_body is None and looks_like_public_body(row.payee.name, patterns)
        },
        title="Payees",
    )


# One payee


def _match_form(payee: Payee, data: dict[str, Any] | None = None) -> PayeeMatchForm:
    form = PayeeMatchForm(
        data=data
        or {
            "match": "confirm" if payee.organisation_id else "spend_only",
            "supplier": payee.organisation_id,
            "version": payee.version,
        }
    )
    proposed = payee.organisation
    # "confirm" only when there is a supplier to confirm, named.
    form.match.choices = [
        *([SelectChoice("confirm", f"It is {proposed.name}")] if proposed else []),
        *MATCH_CHOICES[1:],
    ]
    form.supplier.choices = [SelectChoice("", "Select a supplier")] + [
        SelectChoice(str(supplier.id), supplier.name)
        for supplier in organisations.suppliers(current_user)
    ]
    return form


def _classification_form(payee: Payee) -> PayeeClassificationForm:
    return PayeeClassificationForm(
        data={
            "postcode": payee.postcode,
            "is_sme": _answer(payee.is_sme),
            "is_vcse": _answer(payee.is_vcse),
            "is_public_body": _answer(payee.is_public_body),
            "version": payee.version,
        }
    )


def _merge_form(payee: Payee, search: str) -> tuple[MergePayeesForm, list[spend.PayeeRow]]:
    candidates = spend.merge_candidates(payee, search)
    form = MergePayeesForm(data={"version": payee.version, "payees": []})
    form.payees.choices = [
        SelectChoice(str(row.payee.id), f"{row.payee.name} ({money(row.total)})")
        for row in candidates
    ]
    return form, candidates


def _payee_page(
    payee: Payee,
    *,
    match_form: PayeeMatchForm | None = None,
    classification_form: PayeeClassificationForm | None = None,
    merge_form: MergePayeesForm | None = None,
    status: int = 200,
) -> tuple[str, int]:
    search = text_arg("q")
    merge, candidates = _merge_form(payee, search)
    posted = match_form or classification_form or merge_form
    return render_template(
        "council/payee.html",
        payee=payee,
        spellings=spend.spellings_of(payee),
        by_year=spend.payee_by_year(payee),
        match_form=match_form or _match_form(payee),
        classification_form=classification_form or _classification_form(payee),
        merge_form=merge_form or merge,
        candidates=candidates,
        search=search,
        named_public=looks_like_public_body(payee.name, _patterns()),
        form=posted,  # its errors go in the summary
        saved_now=_saved_now(payee) if posted is not None and conflicted(posted) else [],
        title=payee.name,
    ), status


def _saved_now(payee: Payee) -> list[tuple[str, str]]:
    """After a version conflict: what the other person left, beside what this one chose."""

    def said(flag: bool | None, unknown: str = "Not known") -> str:
        return unknown if flag is None else "Yes" if flag else "No"

    supplier = payee.organisation.name if payee.organisation else "None: known only from spend"
    if payee.organisation and not payee.organisation_confirmed:
        supplier += " (proposed)"
    return [
        ("Portal supplier", supplier),
        ("Postcode", payee.postcode or "Not known"),
        ("SME", said(payee.is_sme)),
        ("VCSE", said(payee.is_vcse)),
        ("Public body", said(payee.is_public_body, "Not decided")),
    ]


@council.route("/spend/payees/<int:payee_id>")
@council_staff
def view_payee(payee_id: int) -> tuple[str, int]:
    return _payee_page(_payee(payee_id))


@council.route("/spend/payees/<int:payee_id>/supplier", methods=["POST"])
@council_staff
def match_payee(payee_id: int) -> Response | tuple[str, int]:
    payee = _payee(payee_id)
    form = _match_form(payee, data={})
    if form.validate_on_submit():
        if form.match.data == "confirm":
            chosen = payee.organisation_id
            if chosen is None:
                form.match.errors = ["There is no proposed supplier: choose one from the list"]
        elif form.match.data == "other":
            found = organisations.get_supplier_for(current_user, form.supplier.data or 0)
            chosen = found.id if found else None
            if found is None:
                form.supplier.errors = ["Select a supplier from the list"]
        else:
            chosen = None
        if not (form.match.errors or form.supplier.errors):
            with refused_if_stale(form, payee, PAYEE_CONFLICT):
                versions.check(payee, form.expected_version)
                spend.match_payee(payee, chosen, by=current_user)
                commit()
            if not conflicted(form):
                flash(_matched(payee), "success")
                return redirect(url_for("council.view_payee", payee_id=payee.id))
    return _payee_page(payee, match_form=form)


def _matched(payee: Payee) -> str:
    if payee.organisation is None:
        return f"{payee.name} is now known only from spend"
    return f"{payee.name} is now matched to {payee.organisation.name}"


@council.route("/spend/payees/<int:payee_id>/classification", methods=["POST"])
@council_staff
def classify_payee(payee_id: int) -> Response | tuple[str, int]:
    payee = _payee(payee_id)
    form = PayeeClassificationForm()
    if form.validate_on_submit():
        with refused_if_stale(form, payee, PAYEE_CONFLICT):
            versions.check(payee, form.expected_version)
            changed = spend.classify_payee(
                payee,
                {
                    "postcode": form.postcode.data or None,
                    "is_sme": ANSWERS[form.is_sme.data or "unknown"],
                    "is_vcse": ANSWERS[form.is_vcse.data or "unknown"],
                    "is_public_body": ANSWERS[form.is_public_body.data or "unknown"],
                },
                by=current_user,
            )
            commit()
        if not conflicted(form):
            told = "classification saved" if changed else "classification unchanged"
            flash(f"{payee.name}: {told}", "success")
            return redirect(url_for("council.view_payee", payee_id=payee.id))
    return _payee_page(payee, classification_form=form)


@council.route("/spend/payees/<int:payee_id>/merge", methods=["POST"])
@council_staff
def merge_payees(payee_id: int) -> Response | tuple[str, int]:
    payee = _payee(payee_id)
    form = MergePayeesForm()
    if form.validate_on_submit():
        wanted = {id_ for id_ in form.payees.data or [] if id_ is not None and id_ != payee.id}
        others = spend.payees_by_id(payee.council_id, wanted)
        if not others or len(others) != len(wanted):
            form.payees.errors = ["Select payees from the list"]
        else:
            with refused_if_stale(form, payee, PAYEE_CONFLICT):
                versions.check(payee, form.expected_version)
                names = [other.name for other in others]
                spend.merge_payees(payee, others, by=current_user)
                commit()
            if not conflicted(form):
                flash(f"{listing(names)} merged into {payee.name}", "success")
                return redirect(url_for("council.view_payee", payee_id=payee.id))
    return _payee_page(payee, merge_form=_keep_choices(form, payee))


def _keep_choices(form: MergePayeesForm, payee: Payee) -> MergePayeesForm:
    """The posted form, offering the same payees as the page it came from."""
    _, candidates = _merge_form(payee, text_arg("q"))
    form.payees.choices = [
        SelectChoice(str(row.payee.id), f"{row.payee.name} ({money(row.total)})")
        for row in candidates
    ]
    return form


# Classifying in bulk

CLASSIFY_HEADER = [PAYEE_REFERENCE, "Payee", "Portal supplier"]


@council.route("/spend/payees/classification.<any(csv, xlsx):file_format>")
@council_staff
def export_payees(file_format: str) -> Response:
    council_id = current_user.organisation_id
    unclassified = request.args.get("show") != "all"
    latest = spend.latest_year(council_id)
    latest_heading = f"Spend {year_label(latest)} (£)" if latest is not None else "Spend (£)"
    header = [*CLASSIFY_HEADER, latest_heading, "Spend, all years (£)", *CLASSIFICATION_COLUMNS]
    rows: list[list[spreadsheets.Cell]] = [
        [
            row.payee.id,
            row.payee.name,
            row.organisation_name,
            row.latest_total,
            row.total,
            row.payee.postcode,
            yes_no_cell(row.payee.is_sme),
            yes_no_cell(row.payee.is_vcse),
            yes_no_cell(row.payee.is_public_body),
        ]
        for row in spend.payees_to_classify(council_id, unclassified=unclassified)
    ]
    name = "payees-to-classify" if unclassified else "payees"
    return exports.download(header, rows, name, file_format)


FIELD_WORDS = {
    "postcode": ("postcode", "postcodes"),
    "is_sme": ("SME answer", "SME answers"),
    "is_vcse": ("VCSE answer", "VCSE answers"),
    "is_public_body": ("public body answer", "public body answers"),
}


@council.route("/spend/payees/classify", methods=["GET", "POST"])
@council_staff
def classify_payees() -> str | Response:
    form = ClassificationUploadForm()
    plan = None
    if form.validate_on_submit():
        council_id = current_user.organisation_id
        try:
            table = spreadsheets.read_table(form.file.data.read())
        except spreadsheets.UnreadableFile as problem:
            form.file.errors = [str(problem)]
        else:
            plan = plan_classification(table, spend.payee_ids_of(council_id))
            if plan.is_valid:
                try:
                    counted = spend.classify_payees(
                        council_id,
                        [(row.payee_id, row.values) for row in plan.rows],
                        by=current_user,
                    )
                    commit()
                except StaleDataError:  # someone saved one of these payees at the same moment
                    rollback()
                    form.file.errors = [BULK_CONFLICT]
                else:
                    flash(_classified(len(plan.rows), counted), "success")
                    return redirect(url_for("council.list_payees"))
            else:
                need = "needs" if len(plan.errors) == 1 else "need"
                form.file.errors = [
                    f"{count(len(plan.errors), 'problem')} {need} fixing: nothing has been saved"
                ]
        logs.upload_refused("payee classification", form.file)
    return render_template(
        "council/payees_classify.html",
        form=form,
        plan=plan,
        columns=CLASSIFICATION_COLUMNS,
        reference=PAYEE_REFERENCE,
        title="Classify payees in bulk",
    )


def _classified(rows: int, counted: dict[str, int]) -> str:
    """ "12 payees read: 3 changed (2 postcodes and 1 SME answer)" """
    told = f"{count(rows, 'payee')} read: {counted['payees']:,} changed"
    parts = [
        count(counted[field], *words) for field, words in FIELD_WORDS.items() if counted[field]
    ]
    return f"{told} ({listing(parts)})" if parts else told
