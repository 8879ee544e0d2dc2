"""The data layer: models, and one module of queries and writes per aggregate.

Views never build queries; they call functions here, then `commit()` once per request.
Functions that write only add and flush, so several of them share one transaction.
"""

from portal.extensions import db


def commit() -> None:
    db.session.commit()


def rollback() -> None:
    db.session.rollback()
