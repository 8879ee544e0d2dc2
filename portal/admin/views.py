"""Administrators: organisations, users, the measures catalogue and the local area."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from portal.admin.forms import (
    ConfirmForm,
    InviteForm,
    LivingWageRateForm,
    LocalAreaForm,
    MeasureForm,
    OrganisationForm,
    SpendSettingsForm,
)
from portal.auth import invitations
from portal.auth.permissions import administrators
from portal.data import (
    audit,
    commit,
    living_wage,
    local_areas,
    measures,
    organisations,
    outbox,
    spend,
    users,
    versions,
)
from portal.data.models import LivingWageRate, LocalArea, Measure, OutboxMessage, User
from portal.data.types import (
    EmailKind,
    EmailStatus,
    MeasureKind,
    MeasureUnit,
    OrganisationKind,
    Role,
)
from portal.domain.living_wage import years_missing
from portal.domain.postcodes import parse_area_codes
from portal.domain.spend import DEFAULT_PUBLIC_BODY_PATTERNS, DEFAULT_TOP_N
from portal.editing import conflicted, refused_if_stale, saved_now
from portal.formatting import count, listing, money
from portal.forms import ConfirmChangeForm, conflict_message
from portal.jobs import reminders
from portal.notifications import links
from portal.request_input import int_arg, text_arg
from portal.workflows import returns as returns_workflow

ORGANISATION_CONFLICT = conflict_message("this organisation")
MEASURE_CONFLICT = conflict_message("this measure")
LOCAL_AREA_CONFLICT = conflict_message("this local area")
USER_CONFLICT = conflict_message("this user", then="make your change again")
RATE_CONFLICT = conflict_message("this rate")

admin = Blueprint("admin", __name__, url_prefix="/admin")


@admin.before_app_request
def _count_failed_emails() -> None:
    """Administrators see on every page how many emails have failed for good (base.html).
    Counted before the view, so that an error page never queries the database for it."""
    if current_user.is_authenticated and current_user.role is Role.ADMINISTRATOR:
        counts = outbox.status_counts(current_user)
        g.failed_emails = counts[EmailStatus.FAILED]


def _page() -> int:
    return int_arg("page", 1) or 1


# Organisations


@admin.route("/organisations")
@administrators
def list_organisations() -> str:
    page = organisations.list_organisations(current_user, page=_page())
    ids = [o.id for o in page.items]
    return render_template(
        "admin/organisations.html",
        page=page,
        counts=organisations.user_counts(ids),
        shared=organisations.shared_with_another_council(current_user, ids),
        title="Organisations",
    )


@admin.route("/organisations/new", methods=["GET", "POST"])
@administrators
def add_organisation() -> str | Response:
    form = OrganisationForm()
    if form.validate_on_submit():
        try:
            organisations.create(
                name=form.name.data or "",
                kind=OrganisationKind.SUPPLIER,  # the council itself comes with the deployment
                is_sme=form.is_sme.data,
                is_vcse=form.is_vcse.data,
                postcode=form.postcode.data,
                by=current_user,
                is_living_wage_employer=form.is_living_wage_employer.data,
            )
        except organisations.NameInUse:
            form.name.errors.append("An organisation with this name already exists")
        else:
            commit()
            flash(f"{form.name.data} added", "success")
            return redirect(url_for("admin.list_organisations"))
    return render_template("admin/organisation_form.html", form=form, title="Add a supplier")


@admin.route("/organisations/<int:organisation_id>/edit", methods=["GET", "POST"])
@administrators
def edit_organisation(organisation_id: int) -> str | Response:
    organisation = organisations.get_for_admin(current_user, organisation_id) or abort(404)
    if not organisations.may_change(current_user, organisation):
        if request.method == "POST":
            abort(403)
        return render_template(
            "admin/organisation.html",
            organisation=organisation,
            explanation=organisations.SHARED_EXPLANATION.format(name=organisation.name),
            title=organisation.name,
        )
    form = OrganisationForm(obj=organisation, version=organisation.version)
    if organisation.is_council:
        del form.is_sme, form.is_vcse, form.is_living_wage_employer
    else:
        del form.is_in_london
    if form.validate_on_submit():
        with refused_if_stale(form, organisation, ORGANISATION_CONFLICT):
            versions.check(organisation, form.expected_version)
            try:
                organisations.update(
                    organisation,
                    name=form.name.data or "",
                    is_sme=bool(getattr(form, "is_sme", None) and form.is_sme.data),
                    is_vcse=bool(getattr(form, "is_vcse", None) and form.is_vcse.data),
                    postcode=form.postcode.data,
                    by=current_user,
                    is_in_london=bool(
                        getattr(form, "is_in_london", None) and form.is_in_london.data
                    ),
                    is_living_wage_employer=bool(
                        getattr(form, "is_living_wage_employer", None)
                        and form.is_living_wage_employer.data
                    ),
                )
            except organisations.NameInUse:
                form.name.errors.append("An organisation with this name already exists")
            else:
                commit()
                flash(f"{organisation.name} updated", "success")
                return redirect(url_for("admin.list_organisations"))
    return render_template(
        "admin/organisation_form.html",
        form=form,
        organisation=organisation,
        saved_now=saved_now(form, organisation),
        title=f"Edit {organisation.name}",
    )


# Users


@admin.route("/users")
@administrators
def list_users() -> str:
    search = text_arg("q").strip()[:100]
    page = users.list_users(current_user, page=_page(), search=search)
    return render_template("admin/users.html", page=page, search=search, title="Users")


@admin.route("/users/invite", methods=["GET", "POST"])
@administrators
def invite_user() -> str | Response:
    form = InviteForm()
    form.organisation.choices = [SelectChoice("", "Select an organisation")] + [
        SelectChoice(str(o.id), o.name)
        for o in [current_user.organisation, *organisations.suppliers(current_user)]
        if organisations.may_change(current_user, o)
    ]
    if form.validate_on_submit():
        role = Role(form.role.data)
        organisation = organisations.get_for_admin(current_user, form.organisation.data or 0)
        if organisation is None or not organisations.may_change(current_user, organisation):
            form.organisation.errors.append("Select an organisation")
        elif organisation.kind is not role.organisation_kind:
            form.organisation.errors.append(
                "Select a supplier for a supplier user"
                if role is Role.SUPPLIER_USER
                else "Select the council for council staff"
            )
        else:
            try:
                user, told = invitations.invite(
                    email=form.email.data or "",
                    full_name=form.full_name.data or "",
                    role=role,
                    organisation=organisation,
                    invited_by=current_user,
                )
            except users.EmailInUse:
                form.email.errors.append("This email address already has an account")
            else:
                flash(told, "success")
                return redirect(url_for("admin.view_user", user_id=user.id))
    return render_template("admin/invite_user.html", form=form, title="Invite a user")


@admin.route("/users/<int:user_id>")
@administrators
def view_user(user_id: int) -> str:
    user = users.get_for_admin(current_user, user_id) or abort(404)
    changeable = organisations.may_change(current_user, user.organisation)
    return render_template(
        "admin/user.html",
        user=user,
        form=ConfirmChangeForm(formdata=None, version=user.version),
        changeable=changeable,
        explanation=None
        if changeable
        else organisations.SHARED_EXPLANATION.format(name=user.organisation.name),
        title=user.full_name,
    )


def _changeable_user(user_id: int) -> User:
    """A user the administrator may change: a 404 for one they cannot see, a 403 for one of
    a supplier another council also has contracts with."""
    user = users.get_for_admin(current_user, user_id) or abort(404)
    if not organisations.may_change(current_user, user.organisation):
        abort(403)
    return user


@admin.route("/users/<int:user_id>/deactivate", methods=["GET", "POST"])
@administrators
def deactivate_user(user_id: int) -> str | Response:
    user = _changeable_user(user_id)
    if user.id == current_user.id:
        abort(404)
    form = ConfirmChangeForm(version=user.version)
    if form.validate_on_submit():
        with refused_if_stale(form, user, USER_CONFLICT):
            versions.check(user, form.expected_version)
            users.deactivate(user, by=current_user)
            commit()
            flash(f"{user.full_name} has been deactivated and signed out", "success")
            return redirect(url_for("admin.view_user", user_id=user.id))
    if not user.is_active:
        if conflicted(form):  # someone deactivated them meanwhile: show the user as they are
            flash(USER_CONFLICT, "error")
            return redirect(url_for("admin.view_user", user_id=user.id))
        abort(404)
    return render_template(
        "admin/confirm.html",
        form=form,
        title=f"Deactivate {user.full_name}?",
        explanation="They will be signed out at once and cannot sign in "
        "until an administrator reactivates them. Their history "
        "stays.",
        button="Deactivate user",
        warning=True,
        back=url_for("admin.view_user", user_id=user.id),
    )


@admin.route("/users/<int:user_id>/reactivate", methods=["POST"])
@administrators
def reactivate_user(user_id: int) -> Response:
    user = _changeable_user(user_id)
    form = ConfirmChangeForm()
    if form.validate_on_submit():
        if form.expected_version != user.version or user.is_active:
            flash(USER_CONFLICT, "error")  # pressed on an older page
        else:
            users.reactivate(user, by=current_user)
            commit()
            flash(f"{user.full_name} can sign in again", "success")
    return redirect(url_for("admin.view_user", user_id=user.id))


@admin.route("/users/<int:user_id>/resend-invitation", methods=["POST"])
@administrators
def resend_invitation(user_id: int) -> Response:
    user = _changeable_user(user_id)
    if ConfirmForm().validate_on_submit() and user.is_active and not user.has_accepted_invitation:
        flash(invitations.send_link(user, invited_by=current_user, again=True), "success")
    return redirect(url_for("admin.view_user", user_id=user.id))


# Measures catalogue


@admin.route("/measures")
@administrators
def list_measures() -> str:
    catalogue = measures.catalogue(current_user.organisation_id)
    return render_template("admin/measures.html", measures=catalogue, title="Measures")


def _measure_values(form: MeasureForm) -> dict[str, object]:
    """The catalogue fields present on the form (derived measures hide code, unit and kind)."""
    values: dict[str, object] = {
        name: getattr(form, name).data for name in measures.EDITABLE if name in form
    }
    if "unit" in values:
        values["unit"] = MeasureUnit(str(values["unit"]))
    if "kind" in values:
        values["kind"] = MeasureKind(str(values["kind"]))
    return values


@admin.route("/measures/new", methods=["GET", "POST"])
@administrators
def add_measure() -> str | Response:
    form = MeasureForm()
    if form.validate_on_submit():
        try:
            measures.create(current_user.organisation_id, by=current_user, **_measure_values(form))  # type: ignore[arg-type]
        except measures.CodeOrNameInUse as clash:
            getattr(form, clash.field).errors.append(
                f"A measure with this {clash.field} already exists"
            )
        else:
            commit()
            flash(f"{form.name.data} added to the catalogue", "success")
            return redirect(url_for("admin.list_measures"))
    return render_template("admin/measure_form.html", form=form, title="Add a measure")


def _council_measure(measure_id: int) -> Measure:
    return measures.get(current_user.organisation_id, measure_id) or abort(404)


@admin.route("/measures/<int:measure_id>/edit", methods=["GET", "POST"])
@administrators
def edit_measure(measure_id: int) -> str | Response:
    measure = _council_measure(measure_id)
    form = MeasureForm(obj=measure, version=measure.version)
    if measure.derivation is not None:
        # Derived measures are counted by the portal's rules, so their meaning is fixed.
        del form.unit, form.kind, form.code
    if form.validate_on_submit():
        values = _measure_values(form)
        with refused_if_stale(form, measure, MEASURE_CONFLICT):
            versions.check(measure, form.expected_version)
            try:
                measures.update(measure, by=current_user, **values)
            except measures.CodeOrNameInUse as clash:
                getattr(form, clash.field).errors.append(
                    f"A measure with this {clash.field} already exists"
                )
            else:
                commit()
                flash(f"{measure.name} updated", "success")
                return redirect(url_for("admin.list_measures"))
    return render_template(
        "admin/measure_form.html",
        form=form,
        measure=measure,
        saved_now=saved_now(form, measure),
        retire_form=ConfirmChangeForm(formdata=None, version=measure.version),
        title=f"Edit {measure.name}",
    )


@admin.route("/measures/<int:measure_id>/retire", methods=["POST"])
@administrators
def retire_measure(measure_id: int) -> Response:
    measure = _council_measure(measure_id)
    form = ConfirmChangeForm()
    if form.validate_on_submit():
        if form.expected_version != measure.version:
            # Pressed on an older page: retiring or bringing back would undo the other change.
            flash(MEASURE_CONFLICT, "error")
            return redirect(url_for("admin.edit_measure", measure_id=measure.id))
        if measure.is_retired:
            measures.reinstate(measure, by=current_user)
            flash(f"{measure.name} is back in the catalogue", "success")
        else:
            measures.retire(measure, by=current_user)
            flash(
                f"{measure.name} retired: existing commitments keep it, new ones cannot use it",
                "success",
            )
        commit()
    return redirect(url_for("admin.list_measures"))


# Local areas


@admin.route("/local-areas")
@administrators
def list_local_areas() -> str:
    areas = local_areas.list_for(current_user.organisation_id)
    return render_template("admin/local_areas.html", areas=areas, title="Local areas")


@admin.route("/local-areas/new", methods=["GET", "POST"])
@admin.route("/local-areas/<int:area_id>/edit", methods=["GET", "POST"])
@administrators
def edit_local_area(area_id: int | None = None) -> str | Response:
    council_id = current_user.organisation_id
    area = local_areas.get(council_id, area_id) if area_id is not None else None
    if area_id is not None and area is None:
        abort(404)
    form = LocalAreaForm(
        data={
            "name": area.name,
            "codes": "\n".join(area.codes),
            "is_default": area.is_default,
            "version": area.version,
        }
        if area
        else None
    )
    if form.validate_on_submit():
        codes, _ = parse_area_codes(form.codes.data or "")
        with refused_if_stale(form, area, LOCAL_AREA_CONFLICT):
            if area is not None:
                versions.check(area, form.expected_version)
            try:
                local_areas.save(
                    council_id,
                    area,
                    name=form.name.data or "",
                    codes=codes,
                    make_default=bool(form.is_default.data),
                    by=current_user,
                )
            except local_areas.NameInUse:
                form.name.errors.append("A local area with this name already exists")
            else:
                commit()
                places = count(
                    len(codes), "postcode district or sector", "postcode districts and sectors"
                )
                flash(f"{form.name.data} saved with {places}", "success")
                return redirect(url_for("admin.list_local_areas"))
    return render_template(
        "admin/local_area.html",
        form=form,
        area=area,
        saved_now=_area_saved_now(form, area),
        title=f"Edit {area.name}" if area else "Add a local area",
    )


# The real Living Wage (design brief section 5a): one table for every council.


@admin.route("/living-wage")
@administrators
def list_living_wage_rates() -> str:
    rates = living_wage.list_rates()
    gaps = [
        f"No rate for {where} announced in {listing([str(y) for y in years], 'or')} is in the"
        " table: until it is added, the quarters it would judge are judged against the rate"
        " before it."
        for london, where in ((False, "the rest of the UK"), (True, "London"))
        if (years := years_missing(r.announced_on for r in rates if r.london is london))
    ]
    return render_template(
        "admin/living_wage_rates.html", rates=rates, gaps=gaps, title="Real Living Wage"
    )


@admin.route("/living-wage/new", methods=["GET", "POST"])
@admin.route("/living-wage/<int:rate_id>/edit", methods=["GET", "POST"])
@administrators
def edit_living_wage_rate(rate_id: int | None = None) -> str | Response:
    rate = (living_wage.get(rate_id) or abort(404)) if rate_id is not None else None
    form = LivingWageRateForm(
        data={
            "place": "london" if rate.london else "uk",
            "hourly_rate": rate.hourly_rate,
            "announced_on": rate.announced_on,
            "payable_from": rate.payable_from,
            "version": rate.version,
        }
        if rate
        else None
    )
    if form.validate_on_submit():
        london = form.place.data == "london"
        hourly_rate = (form.hourly_rate.data or Decimal(0)).quantize(Decimal("0.01"))
        announced_on, payable_from = form.announced_on.data, form.payable_from.data
        assert announced_on is not None and payable_from is not None  # required dates
        # A rate moved to a later day changes the periods it no longer judges too.
        changed_from = rate.payable_from if rate is not None else payable_from
        with refused_if_stale(form, rate, RATE_CONFLICT):
            if rate is not None:
                versions.check(rate, form.expected_version)
            try:
                living_wage.save(
                    rate,
                    london=london,
                    hourly_rate=hourly_rate,
                    announced_on=announced_on,
                    payable_from=payable_from,
                    by=current_user,
                )
            except living_wage.RateClash:
                form.payable_from.errors.append(
                    f"There is already a {PLACES[london]} rate payable from this date"
                )
            else:
                returns_workflow.recount_open_returns(min(changed_from, payable_from))
                commit()
                flash(f"The {PLACES[london]} rate of {money(hourly_rate)} saved", "success")
                return redirect(url_for("admin.list_living_wage_rates"))
    return render_template(
        "admin/living_wage_rate.html",
        form=form,
        rate=rate,
        saved_now=_rate_saved_now(form, rate),
        title="Change a real Living Wage rate" if rate else "Add a real Living Wage rate",
    )


PLACES = {True: "London", False: "rest of the UK"}


def _rate_saved_now(form: LivingWageRateForm, rate: LivingWageRate | None) -> list[tuple[str, str]]:
    """As saved_now, with the rate in pounds and pence and the place in words."""
    if not conflicted(form) or rate is None:
        return []
    pay_label = str(form.hourly_rate.label.text)
    rows = [
        (label, f"£{rate.hourly_rate}" if label == pay_label else value)
        for label, value in saved_now(form, rate)
    ]
    if (form.place.data == "london") != rate.london:
        rows.insert(0, (str(form.place.label.text), "London" if rate.london else "Rest of the UK"))
    return rows


def _area_saved_now(form: LocalAreaForm, area: LocalArea | None) -> list[tuple[str, str]]:
    rows = saved_now(form, area)
    if conflicted(form) and area is not None:
        rows.append((str(form.codes.label.text), ", ".join(area.codes)))
    return rows


# The spend analysis (design brief section 5b): how it reads the council's suppliers.

SPEND_SETTINGS_CONFLICT = conflict_message("the spend settings")


@admin.route("/spend-settings", methods=["GET", "POST"])
@administrators
def edit_spend_settings() -> str | Response:
    council_id = current_user.organisation_id
    settings = spend.settings_of(council_id)
    patterns = (settings.public_body_patterns if settings else None) or list(
        DEFAULT_PUBLIC_BODY_PATTERNS
    )
    form = SpendSettingsForm(
        data={
            "top_n": settings.top_n if settings else DEFAULT_TOP_N,
            "wider_area": settings.wider_area_id if settings else None,
            "public_body_words": "\n".join(patterns),
            "version": settings.version if settings else None,
        }
    )
    areas = local_areas.list_for(council_id)
    form.wider_area.choices = [SelectChoice("", "None: no wider area")] + [
        SelectChoice(str(area.id), area.name) for area in areas
    ]
    if form.validate_on_submit():
        words = [w.strip() for w in (form.public_body_words.data or "").splitlines() if w.strip()]
        with refused_if_stale(form, settings, SPEND_SETTINGS_CONFLICT):
            if settings is not None:
                versions.check(settings, form.expected_version)
            spend.save_settings(
                council_id,
                top_n=form.top_n.data or DEFAULT_TOP_N,
                wider_area_id=form.wider_area.data
                if form.wider_area.data in {area.id for area in areas}
                else None,
                # The default words are kept as None, so that later defaults apply.
                public_body_patterns=None if words == list(DEFAULT_PUBLIC_BODY_PATTERNS) else words,
                by=current_user,
            )
            commit()
            flash("Spend settings saved", "success")
            return redirect(url_for("council.spend_analysis"))
    return render_template(
        "admin/spend_settings.html",
        form=form,
        saved_now=saved_now(form, settings),
        title="Spend settings",
    )


@admin.route("/emails", methods=["GET", "POST"])
@administrators
def list_emails() -> str | Response:
    """Every email the portal wrote: to whom, what, when, and whether it was delivered."""
    form = ConfirmForm()
    if form.validate_on_submit():
        # Only written here: the delivery worker sends them, so no request waits on the mail
        # server (a slow one once held this page past gunicorn's timeout).
        summary = reminders.send(datetime.now(UTC), deliver=False)
        written = sum(summary.written.values())
        if not written:
            told = "No new emails: every reminder due today had been written already"
        elif written == 1:
            told = (
                "1 email written to the outbox: it is being sent now. "
                "Refresh this page to see it go"
            )
        else:
            told = (
                f"{count(written, 'email')} written to the outbox: they are being sent now. "
                "Refresh this page to see them go"
            )
        flash(told, "success")
        return redirect(url_for("admin.list_emails"))
    args = {name: text_arg(name).strip() for name in ("kind", "status", "recipient", "contract")}
    page = outbox.list_messages(
        current_user,
        page=_page(),
        kind=EmailKind(args["kind"]) if args["kind"] in set(EmailKind) else None,
        status=EmailStatus(args["status"]) if args["status"] in set(EmailStatus) else None,
        recipient=args["recipient"],
        contract_reference=args["contract"],
    )
    return render_template(
        "admin/emails.html",
        page=page,
        args=args,
        form=form,
        counts=outbox.status_counts(current_user),
        kinds=list(EmailKind),
        statuses=list(EmailStatus),
        title="Emails sent",
    )


@admin.route("/emails/<int:message_id>")
@administrators
def view_email(message_id: int) -> str:
    """One email as it was written, with the secret of any single-use link hidden."""
    message = outbox.get_for_admin(current_user, message_id) or abort(404)
    return render_template(
        "admin/email.html",
        message=message,
        body=links.masked(message.body),
        form=ConfirmForm(),
        title=message.subject,
    )


def _resend(messages: list[OutboxMessage]) -> None:
    outbox.resend(messages)
    for message in messages:
        audit.record(current_user, "resent", "email", message.id, after={"to": message.recipient})
    commit()


@admin.route("/emails/<int:message_id>/resend", methods=["POST"])
@administrators
def resend_email(message_id: int) -> Response:
    """A failed email back in the queue, tried again at once by the delivery worker."""
    message = outbox.get_for_admin(current_user, message_id) or abort(404)
    if ConfirmForm().validate_on_submit() and message.status is EmailStatus.FAILED:
        _resend([message])
        flash(f"The email to {message.recipient} is being sent again", "success")
    return redirect(url_for("admin.view_email", message_id=message.id))


@admin.route("/emails/resend-failed", methods=["POST"])
@administrators
def resend_failed_emails() -> Response:
    """Every failed email this administrator may read, back in the queue."""
    if ConfirmForm().validate_on_submit():
        failed = outbox.failed_for_admin(current_user)
        _resend(failed)
        flash(
            f"{count(len(failed), 'failed email')} "
            f"{'is' if len(failed) == 1 else 'are'} being sent again",
            "success",
        )
    return redirect(url_for("admin.list_emails"))
