"""Thin commands over the data layer and jobs: `flask create-admin`, `flask seed-demo`."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path
from time import perf_counter, sleep

import click
from flask import Flask

from portal import logs
from portal.auth.passwords import MIN_LENGTH
from portal.config import current_settings
from portal.data import catalogue, commit, organisations, users
from portal.data.models import Organisation
from portal.data.types import OrganisationKind, Role
from portal.domain.spend import SpendField
from portal.formatting import count, number

DEMO_PASSWORD = "demo-password-123"  # noqa: S105 (documented demo sign-in, local data only)


def init_app(app: Flask) -> None:
    app.cli.add_command(create_admin)
    app.cli.add_command(seed_demo)
    app.cli.add_command(compliance_group)
    app.cli.add_command(reminders_group)
    app.cli.add_command(outbox_group)
    app.cli.add_command(spend_group)


def _as_of(value: str | None) -> date:
    from portal.calendar import today

    if value is None:
        return today()
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise click.BadParameter("use the form YYYY-MM-DD", param_hint="--as-of") from error


@click.group("compliance")
def compliance_group() -> None:
    """Stored compliance: refresh it for the passing of time, or verify it."""


@compliance_group.command("refresh")
@click.option("--as-of", "as_of", help="The day to assess as of (default: today, UK time)")
def compliance_refresh(as_of: str | None) -> None:
    """Recompute every contract's compliance and flags, and raise a step each flag whose accepted
    recovery plan has an action past its date; a second run changes nothing."""
    from portal.data import compliance as store
    from portal.data import recovery
    from portal.workflows import compliance

    started = perf_counter()
    day = _as_of(as_of)
    ids = store.all_contract_ids()
    report = compliance.refresh(ids, day)
    escalated = recovery.escalate_overdue(day)
    commit()
    click.echo(
        f"{count(report.contracts, 'contract')} assessed as of {day.isoformat()}: "
        f"{count(report.states_changed, 'state')} changed, "
        f"{count(report.flags_raised, 'flag')} raised, {number(report.flags_resolved)} resolved, "
        f"{number(escalated)} raised a step for a recovery action past its date, "
        f"fair-work figures counted for {count(report.fair_work_counted, 'return')} without them."
    )
    logs.job_finished(
        "compliance refresh",
        started,
        as_of=day.isoformat(),
        contracts=report.contracts,
        states_changed=report.states_changed,
        flags_raised=report.flags_raised,
        flags_resolved=report.flags_resolved,
        escalated=escalated,
        fair_work_counted=report.fair_work_counted,
    )


@compliance_group.command("verify")
def compliance_verify() -> None:
    """Recompute everything from the raw returns; exit 1 listing any stored difference, or any
    quarterly profile that does not add up to its target."""
    from portal.calendar import today
    from portal.workflows import compliance

    started = perf_counter()
    differences = compliance.verify(today())
    logs.job_finished("compliance verify", started, differences=len(differences))
    for difference in differences:
        click.echo(difference)
    if differences:
        raise SystemExit(1)
    click.echo("Stored compliance matches the returns, and every quarterly profile adds up.")


@click.command("create-admin")
@click.option("--email", prompt=True)
@click.option("--name", "full_name", prompt="Full name")
@click.option("--council", "council_name", help="The council's name (default: the setting)")
@click.password_option(help=f"At least {MIN_LENGTH} characters")
def create_admin(email: str, full_name: str, council_name: str | None, password: str) -> None:
    """Create the first administrator (and the council organisation if it is missing)."""

    if len(password) < MIN_LENGTH:
        raise click.ClickException(f"Password must be {MIN_LENGTH} characters or more")
    name = council_name or current_settings().council_name
    council = next((c for c in organisations.councils() if c.name == name), None)
    if council is None:
        council = organisations.create(
            name=name, kind=OrganisationKind.COUNCIL, is_sme=False, is_vcse=False, by=None
        )
        catalogue.install_defaults(council.id)
    try:
        users.create_user(
            email=email,
            full_name=full_name,
            role=Role.ADMINISTRATOR,
            organisation=council,
            password=password,
        )
    except users.EmailInUse as error:
        raise click.ClickException(f"{email} already has an account") from error
    commit()
    click.echo(f"Administrator {email} created for {council.name}.")


@click.command("seed-demo")
@click.option(
    "--password", default=DEMO_PASSWORD, show_default=True, help="Password for every demo sign-in"
)
@click.option("--if-empty", is_flag=True, help="Do nothing if the database already has users")
@click.option(
    "--scale",
    help="Load a big council instead, in bulk: manchester (300 suppliers, 1,000 contracts, "
    "three years of returns) or x10 (ten times that)",
)
def seed_demo(password: str, if_empty: bool, scale: str | None) -> None:
    """Load a believable fictional council with suppliers, contracts and demo sign-ins."""
    from portal.calendar import today
    from portal.demo import has_data, load_demo, sign_ins
    from portal.demo_scale import PUBLIC_SCALES, SCALES, load_scale

    if len(password) < MIN_LENGTH:
        raise click.ClickException(f"Password must be {MIN_LENGTH} characters or more")
    if scale is not None and scale not in SCALES:
        raise click.BadParameter(f"use one of {', '.join(PUBLIC_SCALES)}", param_hint="--scale")
    started = perf_counter()
    loaded = not (if_empty and has_data())
    if not loaded:
        click.echo("The database already has data; demo data not loaded again.")
        password_note = f"the one it was loaded with; by default {DEMO_PASSWORD}"
    else:
        if scale is None:
            load_demo(password, today())
        else:
            load_scale(scale, password, today())
        commit()
        click.echo("Demo data loaded.")
        password_note = password
    logs.job_finished("seed-demo", started, loaded=loaded, scale=scale or "demo")
    click.echo(f"\nDemo sign-ins (password: {password_note}):")
    for role, email in sign_ins():
        click.echo(f"  {role:<18} {email}")
    click.echo("  and returns@<supplier>.example for every other supplier")


@click.group("reminders")
def reminders_group() -> None:
    """Reminders, overdue notices, escalations and digests."""


@reminders_group.command("send")
@click.option("--as-of", "as_of", help="Act as if today were this day, YYYY-MM-DD (UK date)")
@click.option("--dry-run", is_flag=True, help="Print what would be sent; change nothing")
def reminders_send(as_of: str | None, dry_run: bool) -> None:
    """Send every email the schedule calls for today, exactly once; exit 1 if any delivery
    failed in this run or any email has failed for good and not been resent."""
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    from portal.jobs import reminders

    now = (
        datetime.combine(_as_of(as_of), time(9), tzinfo=ZoneInfo("Europe/London"))
        if as_of
        else datetime.now(ZoneInfo("Europe/London"))
    )
    started = perf_counter()
    summary = reminders.send(now, dry_run=dry_run)
    logs.job_finished(
        "reminders send",
        started,
        as_of=now.date().isoformat(),
        dry_run=dry_run,
        written=dict(sorted(summary.written.items())),
        already_sent=summary.already_sent,
        delivered=summary.delivered,
        failed=summary.failed,
        given_up=len(summary.given_up),
        escalated=summary.escalated,
    )
    if dry_run:
        for planned in summary.planned:
            click.echo(
                f"would send {planned.kind.value} to {planned.recipient.email}: {planned.subject}"
            )
    for line in summary.lines():
        click.echo(line)
    if summary.failed or summary.given_up:
        raise SystemExit(1)


@click.group("outbox")
def outbox_group() -> None:
    """Emails waiting to be sent."""


@outbox_group.command("work")
@click.option("--once", is_flag=True, help="One pass, then stop")
@click.option("--interval", default=2.0, show_default=True, help="Seconds between passes")
def outbox_work(once: bool, interval: float) -> None:
    """The delivery worker: turn password-reset requests into emails (for accounts that exist),
    deliver every pending email that is due, and purge spent sessions; every few seconds until
    stopped. Prints the emails that have failed for good (when their number changes); with
    --once, exits 1 while any is left."""
    from portal.extensions import db
    from portal.jobs.outbox import work_once
    from portal.jobs.reminders import describe_failed, given_up_lines

    given_up_before = 0
    while True:
        started = perf_counter()
        report = work_once()
        given_up = describe_failed()
        db.session.remove()  # a fresh transaction (and fresh reads) for the next pass
        if once or report.sent or report.failed or report.reset_requests:
            logs.job_finished(
                "outbox work",
                started,
                reset_requests=report.reset_requests,
                reset_emails=report.reset_emails,
                sessions_purged=report.sessions_purged,
                sent=report.sent,
                failed=report.failed,
                given_up=len(given_up),
            )
            click.echo(
                f"{count(report.reset_requests, 'reset request')}: "
                f"{count(report.reset_emails, 'email')} written; "
                f"{count(report.sent, 'email')} sent, {number(report.failed)} failed"
            )
        if once or len(given_up) != given_up_before:
            for line in given_up_lines(given_up):
                click.echo(line, err=True)
            given_up_before = len(given_up)
        if once:
            if given_up:
                raise SystemExit(1)
            return
        sleep(interval)


@click.group("spend")
def spend_group() -> None:
    """The council's published spend files, for the spend analysis."""


def _council(reference: str | None) -> Organisation:
    """A council by its id or its name (any case); by default the one the settings name."""
    wanted = reference or current_settings().council_name
    for council in organisations.councils():
        if str(council.id) == wanted or council.name.casefold() == wanted.casefold():
            return council
    raise click.BadParameter(f"no council is called {wanted}", param_hint="--council")


def _columns(options: tuple[str, ...]) -> dict[SpendField, str] | None:
    """--column payment_date="Date Paid" ... as the columns to read, or None (none given)."""
    if not options:
        return None
    fields = ", ".join(field.value for field in SpendField)
    columns: dict[SpendField, str] = {}
    for option in options:
        name, equals, header = option.partition("=")
        if not equals or name.strip() not in SpendField.__members__.values() or not header:
            raise click.BadParameter(
                f"use FIELD=HEADER, where FIELD is one of {fields}", param_hint="--column"
            )
        columns[SpendField(name.strip())] = header
    return columns


@spend_group.command("load")
@click.argument(
    "paths",
    metavar="FILE...",
    nargs=-1,
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@click.option(
    "--council", "council_reference", help="The council's id or name (default: the setting)"
)
@click.option(
    "--column",
    "column_options",
    multiple=True,
    metavar="FIELD=HEADER",
    help="The header of a field's column, e.g. payment_date='Date Paid' (repeat for each field; "
    "default: the columns the council's files were last loaded with, else proposed from the "
    "headers)",
)
@click.option(
    "--replace", is_flag=True, help="Replace the payments already loaded on a file's dates"
)
def spend_load(
    paths: tuple[Path, ...],
    council_reference: str | None,
    column_options: tuple[str, ...],
    replace: bool,
) -> None:
    """Load spend files (CSV or Excel), each all or nothing, and print what each added. Exits 1
    if any row is refused, or a file's dates are already loaded and --replace was not given."""
    from portal.workflows.spend import Outcome, load_files

    started = perf_counter()
    council = _council(council_reference)
    columns = _columns(column_options)
    files = [(path.name, path.read_bytes()) for path in paths]
    summaries = load_files(council, files, columns, by=None, replace_overlap=replace)
    outcomes = Counter(summary.outcome for summary in summaries)
    logs.job_finished(
        "spend load",
        started,
        council_id=council.id,
        files=len(summaries),
        **{outcome.value: outcomes[outcome] for outcome in Outcome},
        payments=sum(s.payments for s in summaries if s.outcome is Outcome.LOADED),
        replaced=sum(s.replaced for s in summaries),
    )
    for summary in summaries:
        for line in summary.lines():
            click.echo(line)
    if outcomes[Outcome.REFUSED] or outcomes[Outcome.OVERLAPS]:
        raise SystemExit(1)
