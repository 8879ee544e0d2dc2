"""Loading the council's spend files from the web (issue 15 item 1, design brief section 5b):
upload one or many files, confirm the columns each layout is read with, and read what happened
to each file. Council staff only; an upload is its uploader's alone.

The files are kept between the pages (portal.data.spend keep_upload) and loaded by
portal.workflows.spend.load_upload, as `flask spend load` loads them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response

from portal import logs
from portal.auth.permissions import council_staff
from portal.council.forms import (
    SPEND_FILE_TYPES,
    SpendColumnsForm,
    SpendOverlapForm,
    SpendUploadForm,
)
from portal.council.views import council
from portal.data import commit, organisations
from portal.data import spend as store
from portal.data.models import Organisation, SpendUpload, SpendUploadFile
from portal.domain.spend import REQUIRED_FIELDS, SpendField
from portal.spend_files import find_header, sample_rows
from portal.spreadsheets import MB, UnreadableFile
from portal.workflows.spend import Columns, FileSummary, Outcome, load_upload, preview_columns

SAMPLE_ROWS = 3  # rows shown under each layout's columns, to check them against
PROBLEMS_SHOWN = 100
_POSITION = re.compile(
    r"[0-9]{1,4}"
)  # a refused file's problems listed on the page; the rest are counted


@council.route("/spend/load", methods=["GET", "POST"])
@council_staff
def load_spend() -> str | Response:
    form = SpendUploadForm()
    if form.validate_on_submit():
        files = _read_uploads(form)
        if files is not None:
            upload = store.keep_upload(current_user, files)
            commit()
            return redirect(url_for("council.spend_columns", upload_id=upload.id))
    return render_template(
        "council/spend_load.html",
        form=form,
        max_mb=(current_app.config["MAX_CONTENT_LENGTH"] or 0) // MB - 1,
        title="Load spend files",
    )


def _read_uploads(form: SpendUploadForm) -> list[tuple[str, bytes]] | None:
    """The files as (name, content), or None with the form's errors saying what is wrong with
    each one that cannot be loaded: then nothing is kept."""
    files: list[tuple[str, bytes]] = []
    errors: list[str] = []
    for upload in form.files.data or []:
        if not isinstance(upload, FileStorage):
            continue
        # A browser sends the name alone; some old ones sent the path it came from.
        name = (upload.filename or "").replace("\\", "/").rsplit("/", 1)[-1] or "file"
        if name.rsplit(".", 1)[-1].lower() not in SPEND_FILE_TYPES or "." not in name:
            errors.append(f"{name} must be a CSV or Excel (.xlsx) file")
            continue
        content = upload.read()
        try:
            find_header(content)
        except UnreadableFile as problem:
            errors.append(f"{name}: {_sentence(str(problem))}")
            continue
        files.append((name, content))
    if errors or not files:
        form.files.errors = errors or ["Select one or more CSV or Excel files"]
        logs.upload_refused("spend files", form.files)
        return None
    return files


def _sentence(message: str) -> str:
    """'The selected file is empty' after a file's name: 'the file is empty'."""
    return message.replace("The selected file", "the file", 1)


# The columns


@dataclass
class SelectBox:
    id: str
    label: str
    items: list[dict[str, Any]]
    error: str | None = None


@dataclass
class Layout:
    """Files of the upload that share their headers, read with the same columns."""

    number: int
    header_row: int
    headers: tuple[str, ...]
    columns: dict[SpendField, str]  # proposed, remembered or chosen: field -> header text
    remembered: bool
    files: list[SpendUploadFile] = field(default_factory=list)
    samples: list[tuple[int, tuple[str, ...]]] = field(default_factory=list)
    boxes: list[SelectBox] = field(default_factory=list)

    def name(self, spend_field: SpendField) -> str:
        return f"layout-{self.number}-{spend_field.value}"


@dataclass
class ColumnsPage:
    layouts: list[Layout]
    unreadable: list[tuple[str, str]]  # (file name, why): loading refuses it, saying so


def _layouts(council: Organisation, upload: SpendUpload) -> ColumnsPage:
    layouts: dict[tuple[str, ...], Layout] = {}
    unreadable: list[tuple[str, str]] = []
    for kept in upload.files:
        try:
            preview = preview_columns(council, kept.content)
        except UnreadableFile as problem:
            unreadable.append((kept.filename, str(problem)))
            continue
        layout = layouts.get(preview.headers)
        if layout is None:
            layout = layouts[preview.headers] = Layout(
                number=len(layouts) + 1,
                header_row=preview.header_row,
                headers=preview.headers,
                columns=dict(preview.columns),
                remembered=preview.remembered,
                samples=sample_rows(kept.content, SAMPLE_ROWS),
            )
        layout.files.append(kept)
    return ColumnsPage(list(layouts.values()), unreadable)


def _chosen(layout: Layout, form: dict[str, str]) -> dict[str, str]:
    """The person's choices on the form, read into the layout's columns; the errors by box."""
    errors: dict[str, str] = {}
    chosen: dict[SpendField, str] = {}
    read_as: dict[int, SpendField] = {}
    for spend_field in SpendField:
        value = form.get(layout.name(spend_field), "")
        # A column's position as the page sent it; anything else (junk, "²") is no choice.
        column = int(value) if _POSITION.fullmatch(value) else None
        if column is not None and column >= len(layout.headers):
            column = None
        if column is None:
            if spend_field in REQUIRED_FIELDS:
                errors[layout.name(spend_field)] = (
                    f"Select the column that holds the {spend_field.label.lower()}"
                    + _of_files(layout)
                )
            continue
        if column in read_as:
            errors[layout.name(spend_field)] = (
                f"Select a different column for the {spend_field.label.lower()}"
                f"{_of_files(layout)}: ‘{layout.headers[column]}’ is read as the "
                f"{read_as[column].label.lower()}"
            )
            continue
        read_as[column] = spend_field
        chosen[spend_field] = layout.headers[column]
    layout.columns = chosen
    return errors


def _of_files(layout: Layout) -> str:
    return f" in {layout.files[0].filename}" + (
        f" and {len(layout.files) - 1} more" if len(layout.files) > 1 else ""
    )


def _boxes(layout: Layout, errors: dict[str, str]) -> None:
    for spend_field in SpendField:
        required = spend_field in REQUIRED_FIELDS
        chosen = layout.columns.get(spend_field)
        position = layout.headers.index(chosen) if chosen in layout.headers else None
        items: list[dict[str, Any]] = [
            {
                "value": "",
                "text": "Choose a column" if required else "Not in these files",
                "selected": position is None,
            }
        ]
        items += [
            {
                "value": str(index),
                "text": header or f"Column {index + 1} (no heading)",
                "selected": index == position,
            }
            for index, header in enumerate(layout.headers)
        ]
        label = spend_field.label if required else f"{spend_field.label} (optional)"
        layout.boxes.append(
            SelectBox(layout.name(spend_field), label, items, errors.get(layout.name(spend_field)))
        )


@council.route("/spend/load/<int:upload_id>", methods=["GET", "POST"])
@council_staff
def spend_columns(upload_id: int) -> str | Response:
    upload = store.upload_for(current_user, upload_id) or abort(404)
    council_org = organisations.get(upload.council_id) or abort(404)
    page = _layouts(council_org, upload)
    form = SpendColumnsForm()
    errors: dict[str, str] = {}
    if form.validate_on_submit():
        answers = {name: str(value) for name, value in request.form.items()}
        for layout in page.layouts:
            errors |= _chosen(layout, answers)
        if not errors:
            by_file = {
                kept.position: layout.columns for layout in page.layouts for kept in layout.files
            }
            file_columns: list[Columns] = [by_file.get(kept.position, {}) for kept in upload.files]
            summaries = load_upload(upload, by=current_user, file_columns=file_columns)
            return _result(upload_id, summaries, file_columns)
    for layout in page.layouts:
        _boxes(layout, errors)
    return render_template(
        "council/spend_columns.html",
        form=form,
        page=page,
        upload=upload,
        field_errors=errors,
        title="Check the columns",
    )


# The result


@dataclass
class Result:
    summary: FileSummary
    problems: list[tuple[str, str]]  # (where, message), at most PROBLEMS_SHOWN
    more_problems: int


def _result(
    upload_id: int,
    summaries: list[FileSummary],
    file_columns: list[Columns] | None,
    *,
    overlap_form: SpendOverlapForm | None = None,
) -> str:
    results = []
    for summary in summaries:
        problems = [
            ("File" if problem.row is None else f"Row {problem.row}", message)
            for problem in summary.problems
            for message in problem.messages
        ]
        results.append(
            Result(summary, problems[:PROBLEMS_SHOWN], max(0, len(problems) - PROBLEMS_SHOWN))
        )
    waiting = [r.summary for r in results if r.summary.outcome is Outcome.OVERLAPS]
    if waiting and overlap_form is None:
        overlap_form = SpendOverlapForm(formdata=None)
    if waiting and overlap_form is not None:
        if len(waiting) > 1:
            overlap_form.choice.choices = [
                ("replace", "Replace the payments on these dates"),
                ("leave", "Leave these files out"),
            ]
        # Only the waiting files' columns: the others are done with.
        overlap_form.columns.data = json.dumps(
            [
                {f.value: header for f, header in columns.items()}
                for columns, summary in zip(file_columns or [], summaries, strict=False)
                if summary.outcome is Outcome.OVERLAPS
            ]
        )
    return render_template(
        "council/spend_result.html",
        results=results,
        outcomes=Outcome,
        waiting=waiting,
        form=overlap_form,
        upload_id=upload_id,
        title="Spend files loaded"
        if all(r.summary.outcome is Outcome.LOADED for r in results)
        else "What happened to your files",
    )


def _waiting_columns(raw: str | None, files: int) -> list[Columns] | None:
    """The columns the waiting files were confirmed with, from the form's hidden field; None
    (each file's remembered or proposed columns) if they are not there as they were sent."""
    try:
        given = json.loads(raw or "")
    except ValueError:
        return None
    if not isinstance(given, list) or len(given) != files:
        return None
    columns: list[Columns] = []
    for item in given:
        if not isinstance(item, dict):
            return None
        try:
            columns.append(
                {SpendField(key): value for key, value in item.items() if isinstance(value, str)}
            )
        except ValueError:
            return None
    return columns


@council.route("/spend/load/<int:upload_id>/overlap", methods=["POST"])
@council_staff
def spend_overlap(upload_id: int) -> str | Response:
    upload = store.upload_for(current_user, upload_id) or abort(404)
    form = SpendOverlapForm()
    file_columns = _waiting_columns(form.columns.data, len(upload.files))
    if not form.validate_on_submit():
        # Show the question again, for the files still waiting.
        summaries = [FileSummary(kept.filename, Outcome.OVERLAPS) for kept in upload.files]
        return _result(upload_id, summaries, file_columns, overlap_form=form)
    if form.choice.data == "leave":
        names = [kept.filename for kept in upload.files]
        store.discard_upload_files(upload, {kept.position for kept in upload.files})
        commit()
        flash(
            f"{', '.join(names)} left out: nothing from {'it' if len(names) == 1 else 'them'} "
            "was saved",
            "info",
        )
        return redirect(url_for("council.load_spend"))
    summaries = load_upload(
        upload, by=current_user, replace_overlap=True, file_columns=file_columns
    )
    return _result(upload_id, summaries, file_columns)
