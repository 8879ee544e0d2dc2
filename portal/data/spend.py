"""Spend analysis (design brief section 5b): every query and write of loaded spend files, their
payments and the payees they name, and a council's spend settings.

A year of a big city's spend is about 42,000 payments, so payments go in with Core inserts of
thousands of rows at a time, and payees are found and created for a chunk of rows at once:
the council's known names are read once per load, never one query a row.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Select,
    Table,
    and_,
    bindparam,
    case,
    delete,
    exists,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.orm import contains_eager

from portal.data import audit, versions
from portal.data.base import as_dict, utcnow
from portal.data.models import (
    Organisation,
    Payee,
    PayeeName,
    SpendFile,
    SpendPayment,
    SpendSettings,
    SpendUpload,
    SpendUploadFile,
    User,
)
from portal.data.organisations import supplier_of
from portal.data.pagination import Page, paginate
from portal.domain.spend import SpendField, payee_key
from portal.extensions import db

# Rows a statement inserts at once: big enough that a year is a few dozen statements, small
# enough that a chunk's parameters stay a few megabytes.
CHUNK = 5_000
NAME_LENGTH = 255  # spend_files.filename and payees.name


# Settings


def settings_of(council_id: int) -> SpendSettings | None:
    return db.session.get(SpendSettings, council_id)


def remembered_columns(council_id: int) -> dict[SpendField, str] | None:
    """The columns (field -> header text) the council's files were last loaded with."""
    settings = settings_of(council_id)
    if settings is None or not settings.column_names:
        return None
    return {
        SpendField(field): header
        for field, header in settings.column_names.items()
        if field in SpendField.__members__.values()
    }


def remember_columns(council_id: int, columns: Mapping[SpendField, str]) -> None:
    """Keep the columns for the council's next load (a change only if they differ)."""
    names = {field.value: header for field, header in sorted(columns.items())}
    settings = settings_of(council_id)
    if settings is None:
        db.session.add(SpendSettings(council_id=council_id, column_names=names))
    elif settings.column_names != names:
        settings.column_names = names
    db.session.flush()


SETTINGS_AUDITED = ("top_n", "wider_area_id", "public_body_patterns")


def save_settings(
    council_id: int,
    *,
    top_n: int,
    wider_area_id: int | None,
    public_body_patterns: list[str] | None,
    by: User,
) -> SpendSettings:
    """Keep the council's analysis settings (None patterns: the default words), audited."""
    settings = settings_of(council_id)
    before = as_dict(settings, *SETTINGS_AUDITED) if settings is not None else None
    if settings is None:
        settings = SpendSettings(council_id=council_id)
        db.session.add(settings)
    settings.top_n = top_n
    settings.wider_area_id = wider_area_id
    settings.public_body_patterns = public_body_patterns
    db.session.flush()
    after = as_dict(settings, *SETTINGS_AUDITED)
    if before != after:
        audit.record(
            by,
            "updated" if before else "created",
            "spend_settings",
            council_id,
            before=before,
            after=after,
        )
    return settings


# Uploads kept until they are loaded


# An upload left on its columns page longer than this is abandoned: the next upload clears it.
UPLOAD_KEPT_FOR = timedelta(days=1)


def keep_upload(by: User, files: Sequence[tuple[str, bytes]]) -> SpendUpload:
    """Keep uploaded files (name, content), in order, for their uploader's council, first
    clearing any upload abandoned for longer than UPLOAD_KEPT_FOR (files are megabytes)."""
    discard_uploads_before(utcnow() - UPLOAD_KEPT_FOR)
    upload = SpendUpload(council_id=by.organisation_id, uploaded_by_id=by.id)
    upload.files = [
        SpendUploadFile(position=n, filename=name[:NAME_LENGTH], size=len(data), content=data)
        for n, (name, data) in enumerate(files)
    ]
    db.session.add(upload)
    db.session.flush()
    return upload


def upload_for(user: User, upload_id: int) -> SpendUpload | None:
    """Only the person who uploaded files can see what they will load, and load them."""
    return db.session.scalar(
        select(SpendUpload).where(
            SpendUpload.id == upload_id,
            SpendUpload.uploaded_by_id == user.id,
            SpendUpload.council_id == user.organisation_id,
        )
    )


def upload_contents(upload: SpendUpload) -> list[tuple[str, bytes]]:
    return [(kept.filename, kept.content) for kept in upload.files]


def discard_upload_files(upload: SpendUpload, positions: Collection[int]) -> None:
    """Let these files of the upload go; the upload goes with its last one."""
    upload.files = [kept for kept in upload.files if kept.position not in positions]
    if not upload.files:
        db.session.delete(upload)
    db.session.flush()


def discard_uploads_before(cutoff: datetime) -> int:
    """Uploads nobody finished loading: how many went."""
    result = db.session.execute(delete(SpendUpload).where(SpendUpload.created_at < cutoff))
    return int(result.rowcount)  # type: ignore[attr-defined]


# Files


def file_with_hash(council_id: int, sha256: str) -> SpendFile | None:
    return db.session.scalar(
        select(SpendFile).where(SpendFile.council_id == council_id, SpendFile.sha256 == sha256)
    )


def start_file(council_id: int, *, filename: str, sha256: str, by_id: int | None) -> SpendFile:
    """The file's record, with no payments yet: they refer to it as they go in."""
    spend_file = SpendFile(
        council_id=council_id,
        filename=filename[:NAME_LENGTH],
        sha256=sha256,
        loaded_by_id=by_id,
        payments=0,
        net_total=Decimal(0),
    )
    db.session.add(spend_file)
    db.session.flush()
    return spend_file


def finish_file(
    spend_file: SpendFile, *, payments: int, net_total: Decimal, first: date, last: date
) -> None:
    spend_file.payments = payments
    spend_file.net_total = net_total
    spend_file.first_paid_on = first
    spend_file.last_paid_on = last
    db.session.flush()


def files_of(council_id: int) -> list[SpendFile]:
    """The council's loaded files, latest payments first."""
    query = (
        select(SpendFile)
        .where(SpendFile.council_id == council_id)
        .order_by(SpendFile.last_paid_on.desc(), SpendFile.id.desc())
    )
    return list(db.session.scalars(query))


def add_payments(rows: Sequence[dict[str, Any]]) -> None:
    """Payments (each a dict of SpendPayment's columns) in one Core insert: the ORM's bulk
    insert would leave out a row's None values and split the batch."""
    if rows:
        db.session.execute(insert(cast(Table, SpendPayment.__table__)), rows)


# Overlapping dates


@dataclass(frozen=True)
class Loaded:
    """Payments already loaded on some days, and the files they came from."""

    payments: int
    filenames: tuple[str, ...]


def loaded_between(council_id: int, first: date, last: date, *, except_file_id: int) -> Loaded:
    """The council's payments dated first to last (both included), but this file's own."""
    query = (
        select(SpendFile.filename, func.count(SpendPayment.id))
        .join(SpendFile, SpendFile.id == SpendPayment.file_id)
        .where(
            SpendPayment.council_id == council_id,
            SpendPayment.paid_on.between(first, last),
            SpendPayment.file_id != except_file_id,
        )
        .group_by(SpendFile.id, SpendFile.filename)
        .order_by(SpendFile.filename)
    )
    counted = db.session.execute(query).all()
    return Loaded(
        payments=sum(payments for _, payments in counted),
        filenames=tuple(filename for filename, _ in counted),
    )


def delete_between(council_id: int, first: date, last: date, *, except_file_id: int) -> int:
    """Delete the council's payments dated first to last but this file's, bring the counts of
    the files they came from up to date (deleting a file left with none), and say how many
    payments went."""
    in_dates = (
        SpendPayment.council_id == council_id,
        SpendPayment.paid_on.between(first, last),
        SpendPayment.file_id != except_file_id,
    )
    file_ids = list(db.session.scalars(select(SpendPayment.file_id).where(*in_dates).distinct()))
    if not file_ids:
        return 0
    result = db.session.execute(delete(SpendPayment).where(*in_dates))
    deleted = result.rowcount  # type: ignore[attr-defined]
    refresh_file_counts(file_ids)
    return int(deleted)


def refresh_file_counts(file_ids: Collection[int]) -> None:
    """Recount these files from their payments; a file with none left goes."""
    query = (
        select(
            SpendPayment.file_id,
            func.count(),
            func.sum(SpendPayment.amount),
            func.min(SpendPayment.paid_on),
            func.max(SpendPayment.paid_on),
        )
        .where(SpendPayment.file_id.in_(file_ids))
        .group_by(SpendPayment.file_id)
    )
    counts = {row[0]: row[1:] for row in db.session.execute(query)}
    for spend_file in db.session.scalars(select(SpendFile).where(SpendFile.id.in_(file_ids))):
        if spend_file.id not in counts:
            db.session.delete(spend_file)
            continue
        payments, total, first, last = counts[spend_file.id]
        spend_file.payments = payments
        spend_file.net_total = Decimal(total)
        spend_file.first_paid_on = first
        spend_file.last_paid_on = last
    db.session.flush()


# Payees


class PayeeMatcher:
    """The payee of each published name, for one council through one load.

    The council's known names are read on first use, and its suppliers' names (normalised) the
    first time a name is new; the names a chunk of rows brings that nobody has seen become
    payees in two statements, matched to a portal supplier whose normalised name is the same
    (none when two suppliers share it: a person decides).
    """

    def __init__(self, council_id: int) -> None:
        self.council_id = council_id
        self._keys: dict[str, str] = {}  # published name -> key, as names repeat thousands of times
        self._payees: dict[str, int] | None = None  # key -> payee id
        self._suppliers: dict[str, int | None] | None = None  # key -> organisation id
        self._created: list[str] = []  # keys of payees made since the last checkpoint
        self.created = 0

    def key(self, name: str) -> str:
        found = self._keys.get(name)
        if found is None:
            found = self._keys[name] = payee_key(name)
        return found

    def payee_ids(self, names: Iterable[str]) -> dict[str, int]:
        """Each published name's payee id (by name), creating the payees nobody has seen, each
        named by its first spelling among these (in the order given)."""
        payees = self._known()
        names = list(names)
        new: dict[str, str] = {}
        for name in names:  # the first spelling of a new payee names it
            key = self.key(name)
            if key not in payees:
                new.setdefault(key, name)
        if new:
            self._create(new)
        return {name: payees[self.key(name)] for name in names}

    def checkpoint(self) -> None:
        self._created = []

    def forget_since_checkpoint(self) -> None:
        """After a rollback: the payees made since the checkpoint are gone."""
        payees = self._known()
        for key in self._created:
            payees.pop(key, None)
        self.created -= len(self._created)
        self._created = []

    def forget_all(self) -> None:
        """Read the council's names again at next use: another load may have added some."""
        self._payees = None
        self._created = []

    def _known(self) -> dict[str, int]:
        if self._payees is None:
            query = select(PayeeName.normalised_name, PayeeName.payee_id).where(
                PayeeName.council_id == self.council_id
            )
            self._payees = {key: payee_id for key, payee_id in db.session.execute(query)}
        return self._payees

    def _supplier_ids(self) -> dict[str, int | None]:
        if self._suppliers is None:
            self._suppliers = supplier_keys(self.council_id)
        return self._suppliers

    def _create(self, new: dict[str, str]) -> None:
        suppliers = self._supplier_ids()
        keys = sorted(new)
        table = cast(Table, Payee.__table__)
        # Core, not the ORM's bulk insert: it would split the rows by which values are None.
        ids = db.session.scalars(
            insert(table).returning(table.c.id, sort_by_parameter_order=True),
            [
                {
                    "council_id": self.council_id,
                    "name": new[key][:NAME_LENGTH],
                    "organisation_id": suppliers.get(key),
                }
                for key in keys
            ],
        ).all()
        db.session.execute(
            insert(cast(Table, PayeeName.__table__)),
            [
                {"council_id": self.council_id, "normalised_name": key, "payee_id": payee_id}
                for key, payee_id in zip(keys, ids, strict=True)
            ],
        )
        payees = self._known()
        payees.update(zip(keys, ids, strict=True))
        self._created.extend(keys)
        self.created += len(keys)


def supplier_keys(council_id: int) -> dict[str, int | None]:
    """The council's portal suppliers (portal.data.organisations.supplier_of) by the key of
    their names; None where two suppliers share a key (a person decides which)."""
    query = select(Organisation.id, Organisation.name).where(supplier_of(council_id))
    found: dict[str, int | None] = {}
    for organisation_id, name in db.session.execute(query):
        key = payee_key(name)
        found[key] = None if key in found else organisation_id
    return found


def payees_of(council_id: int) -> list[Payee]:
    query = select(Payee).where(Payee.council_id == council_id).order_by(Payee.name, Payee.id)
    return list(db.session.scalars(query))


def propose_organisations(council_id: int) -> int:
    """Propose a portal supplier for each payee nobody has decided and that has none, where
    one of its names has the key of exactly one of the council's suppliers' names (for payees
    loaded before the supplier joined the portal). Returns how many were proposed. Three
    statements whatever the count."""
    suppliers = supplier_keys(council_id)
    query = (
        select(PayeeName.payee_id, PayeeName.normalised_name)
        .join(Payee, Payee.id == PayeeName.payee_id)
        .where(
            Payee.council_id == council_id,
            Payee.organisation_id.is_(None),
            Payee.organisation_confirmed.is_(False),  # nobody has said "none"
        )
    )
    found: dict[int, set[int]] = {}
    for payee_id, key in db.session.execute(query):
        organisation_id = suppliers.get(key)
        if organisation_id is not None:
            found.setdefault(payee_id, set()).add(organisation_id)
    proposals = [
        {"payee": payee_id, "organisation": organisations.pop()}
        for payee_id, organisations in sorted(found.items())
        if len(organisations) == 1
    ]
    if proposals:
        table = cast(Table, Payee.__table__)
        # Core, by id: the version moves on, so a form opened before is refused.
        db.session.execute(
            update(table)
            .where(table.c.id == bindparam("payee"))
            .values(organisation_id=bindparam("organisation"), version=table.c.version + 1),
            proposals,
        )
    return len(proposals)


def merge_payees(keep: Payee, others: Sequence[Payee], *, by: User | None) -> None:
    """Several spellings of one supplier as one payee (the council's own): the others' names
    and payments move to `keep`, which keeps its own classification, and they go."""
    merged = [payee for payee in others if payee.id != keep.id]
    if any(payee.council_id != keep.council_id for payee in merged):
        raise ValueError("payees are merged within one council")
    if not merged:
        return
    ids = [payee.id for payee in merged]
    db.session.execute(
        update(PayeeName).where(PayeeName.payee_id.in_(ids)).values(payee_id=keep.id)
    )
    db.session.execute(
        update(SpendPayment)
        .where(SpendPayment.council_id == keep.council_id, SpendPayment.payee_id.in_(ids))
        .values(payee_id=keep.id)
    )
    audit.record(
        by,
        "merged",
        "payee",
        keep.id,
        after={"merged": [{"id": payee.id, "name": payee.name} for payee in merged]},
    )
    for payee in merged:
        db.session.delete(payee)
    versions.moved_on(keep)
    db.session.flush()


# What is loaded


@dataclass(frozen=True)
class YearTotal:
    financial_year: int  # named after the calendar year it starts in
    payments: int
    net_total: Decimal  # credit notes netted; redacted payments included


def years_of(council_id: int) -> list[YearTotal]:
    """The financial years the council's loaded payments fall in, earliest first."""
    query = (
        select(SpendPayment.financial_year, func.count(), func.sum(SpendPayment.amount))
        .where(SpendPayment.council_id == council_id)
        .group_by(SpendPayment.financial_year)
        .order_by(SpendPayment.financial_year)
    )
    return [
        YearTotal(year, payments, Decimal(total))
        for year, payments, total in db.session.execute(query)
    ]


# The payee pages: listing, matching, merging and classifying payees

CLASSIFIED = ("postcode", "is_sme", "is_vcse", "is_public_body")
PAYEE_AUDITED = ("organisation_id", "organisation_confirmed", *CLASSIFIED)


def latest_year(council_id: int) -> int | None:
    return db.session.scalar(
        select(func.max(SpendPayment.financial_year)).where(SpendPayment.council_id == council_id)
    )


def _unclassified() -> ColumnElement[bool]:
    """Not a public body (as someone said) and its place, SME or VCSE not known, counting what
    its portal supplier lends (as the analysis does)."""
    return and_(
        or_(Payee.is_public_body.is_(None), Payee.is_public_body.is_(False)),
        or_(
            func.coalesce(Payee.postcode, Organisation.postcode).is_(None),
            func.coalesce(Payee.is_sme, Organisation.is_sme).is_(None),
            func.coalesce(Payee.is_vcse, Organisation.is_vcse).is_(None),
        ),
    )


def _proposed() -> ColumnElement[bool]:
    return and_(Payee.organisation_id.is_not(None), Payee.organisation_confirmed.is_(False))


@dataclass(frozen=True)
class PayeeRow:
    """A payee as the list and the classification download show it."""

    payee: Payee
    organisation_name: str | None
    latest_total: Decimal
    total: Decimal


def _payee_rows(
    council_id: int, *, search: str = "", needs_decision: bool = False, unclassified: bool = False
) -> Select[*tuple[Any, ...]]:
    """Payees with their spend in the latest year and in all years, the biggest spend first:
    one statement, a grouped read of the council's payments joined to its payees."""
    year = latest_year(council_id)
    totals = (
        select(
            SpendPayment.payee_id,
            func.sum(SpendPayment.amount).label("total"),
            func.sum(
                case((SpendPayment.financial_year == year, SpendPayment.amount), else_=0)
            ).label("latest"),
        )
        .where(SpendPayment.council_id == council_id, SpendPayment.payee_id.is_not(None))
        .group_by(SpendPayment.payee_id)
        .subquery()
    )
    query = (
        select(
            Payee,
            Organisation.name,
            func.coalesce(totals.c.latest, 0),
            func.coalesce(totals.c.total, 0),
        )
        .outerjoin(Organisation, Organisation.id == Payee.organisation_id)
        # Its supplier comes with it: the list shows what the supplier's record lends.
        .options(contains_eager(Payee.organisation))
        .outerjoin(totals, totals.c.payee_id == Payee.id)
        .where(Payee.council_id == council_id)
        .order_by(func.coalesce(totals.c.total, 0).desc(), Payee.name, Payee.id)
    )
    if search.strip():
        words = search.strip()
        key = payee_key(words)
        query = query.where(
            or_(
                Payee.name.icontains(words, autoescape=True),
                exists().where(
                    PayeeName.payee_id == Payee.id,
                    PayeeName.council_id == council_id,
                    PayeeName.normalised_name.contains(key, autoescape=True),
                ),
            )
        )
    if needs_decision:
        query = query.where(or_(_proposed(), _unclassified()))
    if unclassified:
        query = query.where(_unclassified())
    return query


def _row(found: Any) -> PayeeRow:
    payee, name, latest, total = found
    return PayeeRow(payee, name, Decimal(latest), Decimal(total))


def list_payees(
    council_id: int, *, search: str = "", needs_decision: bool = False, page: int = 1
) -> Page[PayeeRow]:
    """One page of the council's payees: three queries whatever their number (the latest
    year, the count, the page)."""
    found = paginate(
        _payee_rows(council_id, search=search, needs_decision=needs_decision), page, rows=True
    )
    return Page([_row(row) for row in found.items], found.number, found.per_page, found.total)


def payees_to_classify(council_id: int, *, unclassified: bool) -> list[PayeeRow]:
    """Every payee for the classification download (or only those not yet classified)."""
    query = _payee_rows(council_id, unclassified=unclassified)
    return [_row(row) for row in db.session.execute(query)]


def payee_of(council_id: int, payee_id: int) -> Payee | None:
    """The council's payee; None (a 404) for another council's or none."""
    return db.session.scalar(
        select(Payee).where(Payee.id == payee_id, Payee.council_id == council_id)
    )


def payee_ids_of(council_id: int) -> set[int]:
    return set(db.session.scalars(select(Payee.id).where(Payee.council_id == council_id)))


@dataclass(frozen=True)
class Spelling:
    name: str  # as the spend files published it
    payments: int
    total: Decimal


def spellings_of(payee: Payee) -> list[Spelling]:
    """The names the council's files paid this payee under, most payments first."""
    query = (
        select(SpendPayment.supplier_name, func.count(), func.sum(SpendPayment.amount))
        .where(SpendPayment.council_id == payee.council_id, SpendPayment.payee_id == payee.id)
        .group_by(SpendPayment.supplier_name)
        .order_by(func.count().desc(), SpendPayment.supplier_name)
    )
    return [Spelling(name, n, Decimal(total)) for name, n, total in db.session.execute(query)]


def payee_by_year(payee: Payee) -> list[tuple[int, Decimal]]:
    query = (
        select(SpendPayment.financial_year, func.sum(SpendPayment.amount))
        .where(SpendPayment.council_id == payee.council_id, SpendPayment.payee_id == payee.id)
        .group_by(SpendPayment.financial_year)
        .order_by(SpendPayment.financial_year)
    )
    return [(year, Decimal(total)) for year, total in db.session.execute(query)]


MERGE_CHOICES = 50  # payees a search offers to merge: a name narrows it further


def merge_candidates(payee: Payee, search: str) -> list[PayeeRow]:
    """Other payees of the council whose names contain the search, to merge into this one."""
    if not search.strip():
        return []
    query = _payee_rows(payee.council_id, search=search).where(Payee.id != payee.id)
    return [_row(row) for row in db.session.execute(query.limit(MERGE_CHOICES))]


def payees_by_id(council_id: int, payee_ids: Collection[int]) -> list[Payee]:
    """The council's payees among these ids (another council's are left out)."""
    if not payee_ids:
        return []
    query = select(Payee).where(Payee.council_id == council_id, Payee.id.in_(sorted(payee_ids)))
    return list(db.session.scalars(query.order_by(Payee.name, Payee.id)))


def match_payee(payee: Payee, organisation_id: int | None, *, by: User) -> None:
    """A person's decision on a payee's portal supplier: this supplier (confirmed), or none
    (a supplier known only from spend)."""
    before = as_dict(payee, *PAYEE_AUDITED)
    payee.organisation_id = organisation_id
    payee.organisation_confirmed = True  # decided either way: never proposed again
    db.session.flush()
    _audit_change(payee, before, by)


def classify_payee(payee: Payee, values: Mapping[str, str | bool | None], *, by: User) -> bool:
    """Set the given classification fields (None: not known); audited. Whether it changed."""
    before = as_dict(payee, *PAYEE_AUDITED)
    for field, value in values.items():
        if field not in CLASSIFIED:
            raise ValueError(f"not a classification: {field}")
        setattr(payee, field, value)
    db.session.flush()
    return _audit_change(payee, before, by)


def _audit_change(payee: Payee, before: dict[str, Any], by: User) -> bool:
    after = as_dict(payee, *PAYEE_AUDITED)
    changed = {key: value for key, value in after.items() if before[key] != value}
    if changed:
        audit.record(
            by,
            "updated",
            "payee",
            payee.id,
            before={key: before[key] for key in changed},
            after=changed,
        )
    return bool(changed)


def classify_payees(
    council_id: int, rows: Sequence[tuple[int, Mapping[str, str | bool | None]]], *, by: User
) -> dict[str, int]:
    """An uploaded classification, (payee id, fields) for each row: how many payees changed,
    and how many of each field. The payees are read in one query; the caller commits once."""
    payees = {payee.id: payee for payee in payees_by_id(council_id, [id_ for id_, _ in rows])}
    counted = dict.fromkeys(("payees", *CLASSIFIED), 0)
    for payee_id, values in rows:
        payee = payees[payee_id]
        before = {field: getattr(payee, field) for field in values}
        if classify_payee(payee, values, by=by):
            counted["payees"] += 1
            for field, value in before.items():
                counted[field] += value != getattr(payee, field)
    return counted
