"""Database foundations: the declarative base, UTC time and the engine tuning for SQLite."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session

# Alembic needs stable constraint names to alter them later, SQLite most of all.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


# The largest id an INTEGER primary key holds on PostgreSQL (SQLite's are larger).
MAX_ID = 2**31 - 1


def utc_now() -> datetime:
    """The current instant, timezone-aware; use as a callable default, never evaluated at import."""
    return datetime.now(UTC)


def today_utc() -> date:
    return utc_now().date()


class UTCDateTime(sa.types.TypeDecorator):
    """A datetime that is always stored in UTC and always comes back timezone-aware.

    SQLite keeps no offset, so naive values would silently mean "whatever the server thought";
    refusing naive input keeps every instant unambiguous on both databases.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; store timezone-aware instants only")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:  # noqa: ANN001 - DB-API objects
    """Foreign keys, WAL and a busy timeout on every SQLite connection (SQLite defaults to none)."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def postgresql_without_jit(config: dict) -> None:
    """PostgreSQL connections run with JIT compilation off (a libpq start-up option).

    PostgreSQL compiles a statement whose estimated cost passes `jit_above_cost` before running
    it. A web request's statements gain nothing from it, and a statement with many correlated
    subqueries can take far longer to compile than to run: the team inbox's aftercare list at
    100,000 witnesses took over a minute with JIT (5,162 functions compiled) and about a second
    without (docs/performance.md)."""
    uri = str(config.get("SQLALCHEMY_DATABASE_URI", ""))
    if not uri.startswith("postgresql"):
        return
    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    connect_args = dict(options.get("connect_args") or {})
    connect_args["options"] = (connect_args.get("options", "") + " -c jit=off").strip()
    options["connect_args"] = connect_args
    config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def tune_sqlite(engine: Engine, cache_mb: int) -> None:
    """A page cache of `cache_mb` MB on each of the engine's SQLite connections."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _cache_size(dbapi_connection, connection_record) -> None:  # noqa: ANN001 - DB-API objects
        dbapi_connection.execute(f"PRAGMA cache_size=-{int(cache_mb) * 1024}")


def _json_encoder(type_: sa.types.TypeEngine, dialect: sa.Dialect) -> Any:
    """A datetime as the column type would bind it (SQLite: its text form), else in ISO format."""
    process = type_.dialect_impl(dialect).bind_processor(dialect) or (lambda value: value)

    def encode(value: Any) -> Any:
        value = None if value is None else process(value)
        return value.isoformat() if isinstance(value, datetime) else value

    return encode


def json_object(dialect_name: str, **pairs: Any) -> sa.ColumnElement[Any]:
    """A JSON object built by the database: json_object (SQLite), json_build_object (PostgreSQL)."""
    build = sa.func.json_build_object if dialect_name == "postgresql" else sa.func.json_object
    return build(*(part for key, value in pairs.items() for part in (sa.literal(key, sa.String), value)),
                 type_=sa.JSON)


class JsonRows:
    """Rows built in Python, read as a table by the database: for an INSERT ... SELECT of many rows.

    The rows travel as ONE bound parameter named after the table, a JSON array that the database
    reads itself (SQLite's json_each, PostgreSQL's json_to_recordset): a statement built on
    `table(dialect_name)` is the same whatever the number of rows (built and compiled once), and
    no per-row work is left to SQLAlchemy. `params(rows, dialect)` gives the parameter. JSON columns
    carry their value as JSON (anything else as its str, as a notice's context does); datetimes
    are stored as their column type stores them. Needs SQLite 3.38 (its -> operator) or PostgreSQL.
    """

    def __init__(self, name: str, **columns: sa.types.TypeEngine) -> None:
        self.name, self.columns = name, columns

    def table(self, dialect_name: str) -> sa.FromClause:
        payload = sa.bindparam(self.name, type_=sa.Text)
        if dialect_name == "postgresql":
            from sqlalchemy.dialects.postgresql import JSON

            return (
                sa.func.json_to_recordset(sa.cast(payload, JSON))
                .table_valued(*(sa.column(c, t) for c, t in self.columns.items()))
                .render_derived(name=self.name, with_types=True)
            )
        value = sa.func.json_each(payload).table_valued("value").c.value
        return sa.select(*(
            # "->" keeps a JSON value as JSON text; json_extract gives a plain value as the SQL value.
            (value.op("->")(f"$.{c}") if isinstance(t, sa.JSON) else sa.func.json_extract(value, f"$.{c}")).label(c)
            for c, t in self.columns.items()
        )).subquery(self.name)

    def params(self, rows: list[dict[str, Any]], dialect: sa.Dialect) -> dict[str, str]:
        encoders = {c: _json_encoder(t, dialect) for c, t in self.columns.items()
                    if isinstance(getattr(t, "impl_instance", t), sa.DateTime)}
        if encoders:
            rows = [{**row, **{c: encode(row[c]) for c, encode in encoders.items()}} for row in rows]
        return {self.name: json.dumps(rows, default=str)}


# ---- PostgreSQL: a request that only read ends with COMMIT -------------------------------------
#
# psycopg forgets every statement it has prepared when a transaction ROLLs BACK (an object
# dropped in it could come back different), and a request's session ends with ROLLBACK. So on
# PostgreSQL no statement of the web app would ever stay prepared: each request would plan each of
# its statements afresh (the planning time is in docs/performance.md). A transaction that wrote
# nothing ends the same either way, so a request that only read COMMITs, and psycopg keeps its
# prepared statements (it prepares a statement on its fifth run on a connection; PostgreSQL then
# plans it once). Anything else (a request that
# raised, pending objects, any statement but a SELECT run on the connection) still rolls back.

_WROTE = "transaction_wrote"
_CONNECTIONS = "read_connections"


def _mark_writes(conn: sa.Connection, cursor: Any, statement: str, parameters: Any, context: Any,
                 executemany: bool) -> None:
    if executemany or statement.lstrip()[:6].upper() != "SELECT":
        conn.info[_WROTE] = True


def _transaction_begins(conn: sa.Connection) -> None:
    conn.info.pop(_WROTE, None)


def _session_connection(session: Session, transaction: Any, connection: sa.Connection) -> None:
    session.info.setdefault(_CONNECTIONS, []).append(connection)


def _session_transaction_ends(session: Session, transaction: Any) -> None:
    if transaction.parent is None:
        session.info.pop(_CONNECTIONS, None)


def transaction_wrote(session: Session) -> bool | None:
    """Whether the session's transaction ran anything but a SELECT on any of its connections (also
    straight on a connection, not only through the session); None when that is not tracked here
    (not PostgreSQL, or no connection). Valid until the next transaction begins, so also in
    after_commit."""
    connections = session.info.get(_CONNECTIONS)
    if not connections:
        return None
    return any(c.info.get(_WROTE) for c in connections)


def commit_read_only_requests(app: Any, db: Any) -> None:
    """On PostgreSQL, end each request whose transaction only read with COMMIT (see above)."""
    if db.engine.dialect.name != "postgresql":
        return
    if not event.contains(Engine, "before_cursor_execute", _mark_writes):
        event.listen(Engine, "before_cursor_execute", _mark_writes)
        event.listen(Engine, "begin", _transaction_begins)
        event.listen(Session, "after_begin", _session_connection)
        event.listen(Session, "after_transaction_end", _session_transaction_ends)

    # Registered after Flask-SQLAlchemy's own teardown, so it runs before the session is removed.
    @app.teardown_appcontext
    def _commit_if_read_only(error: BaseException | None) -> None:
        if error is not None or not db.session.registry.has():
            return
        session = db.session()
        if (session.get_transaction() is None or session.new or session.dirty or session.deleted
                or transaction_wrote(session) is not False):
            return
        try:
            session.commit()
        except sa.exc.SQLAlchemyError:  # the connection went away: the session's removal rolls back
            app.logger.warning("ending a read-only transaction failed; it is rolled back instead")
