"""Apply a valid plan in one transaction with bulk statements, kept as an import batch that an
admin can revert while the records it touched are unchanged since."""

from __future__ import annotations

import hashlib
import json
import zlib
from collections import defaultdict
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import get_locale
from flask_babel import gettext as _

from registry.core import audit, transactions
from registry.core.model import utcnow
from registry.core.models import AuditAction, AuditEntry
from registry.core.progress import Progress, ignore
from registry.core.web import when
from registry.exchange.bulk import collector_paused, insert_rows
from registry.exchange.kinds import KINDS
from registry.exchange.models import BatchStatus, ImportBatch, ImportUndo
from registry.exchange.plan import BATCH_ROWS, Plan, SheetPlan, key_label
from registry.exchange.resources import DATE, LIST_SEPARATOR, REFLIST, RESOURCES, Resource
from registry.exchange.undo import UndoLog
from registry.extensions import db

CHUNK = BATCH_ROWS


class RevertRefused(Exception):
    """A batch that cannot be reverted; the message says which records changed since."""


class IdMaps:
    """Natural key -> id for the resources references point to, reloaded after inserts; a
    renamed record is found by its old key and its new one."""

    def __init__(self, renamed: dict[str, dict[tuple, tuple]]):
        self.maps: dict[str, dict[tuple, int]] = {}
        #: id -> natural key, for the resources whose ids are read back by key (built once)
        self.reversed: dict[str, dict[int, tuple]] = {}
        self.renamed = renamed

    def lookup(self, name: str, key: tuple) -> int:
        ids = self.get(name)
        if key in ids:
            return ids[key]
        for old, new in self.renamed.get(name, {}).items():
            if key in (old, new):
                return ids.get(old) or ids[new]
        raise KeyError(key)

    def get(self, name: str) -> dict[tuple, int]:
        if name not in self.maps:
            resource = RESOURCES[name]
            query = resource.export_query(key_only=True).order_by(None)
            ids = self.maps[name] = {}
            result = db.session.execute(query.execution_options(yield_per=10_000)).mappings()
            for partition in result.partitions():  # 200,000 employees at 10x: not all at once
                ids.update((tuple(getattr(v, "value", v) for v in (row[k] for k in resource.key)),
                            row["id"]) for row in partition)
        return self.maps[name]

    def added(self, resource: Resource, since: int) -> dict[tuple, int]:
        """Key -> id of the rows inserted after id `since`, without joins: references in the
        key are read back through the (small) maps of their targets."""
        table = resource.table
        in_key = [r for r in resource.references if set(r.columns) & set(resource.key)]
        reverse = {r.fk: self.keys(r.target) for r in in_key}
        owner = {column: r for r in in_key for column in r.columns}
        columns = [table.c.id]
        parts = []  # per key part: (position in the row, reverse map of its reference or None, index)
        for key in resource.key:
            if key in owner:
                reference = owner[key]
                columns.append(table.c[reference.fk])
                parts.append((len(columns) - 1, reverse[reference.fk],
                              reference.columns.index(key)))
            else:
                columns.append(table.c[key])
                parts.append((len(columns) - 1, None, 0))
        new = {}
        for row in db.session.execute(sa.select(*columns).where(table.c.id > since)):
            new[tuple(back[row[position]][index] if back is not None
                      else getattr(row[position], "value", row[position])
                      for position, back, index in parts)] = row[0]
        if resource.name in self.maps:
            self.maps[resource.name].update(new)
        self.reversed.pop(resource.name, None)
        return new

    def keys(self, name: str) -> dict[int, tuple]:
        """Id -> natural key of a resource's records (read back once per import, not per batch)."""
        if name not in self.reversed:
            self.reversed[name] = {record_id: key for key, record_id in self.get(name).items()}
        return self.reversed[name]


class Stale(Exception):
    """The registry changed since the plan was made; plan again."""


#: the PostgreSQL advisory lock key that serialises imports (any constant shared by all)
IMPORT_LOCK = 0x5245474953  # "REGIS"


def apply(plan: Plan, filename: str, content: bytes, progress: Progress = ignore) -> ImportBatch:
    """Write the plan; the caller commits (or rolls back) the one transaction. Progress is told
    in records written, then their audit entries, per sheet and chunk.

    Imports are serialised (SQLite by its write lock, PostgreSQL by an advisory lock held to the
    end of the transaction); once it holds the lock, an import whose tables changed after its plan
    raises Stale and writes nothing, so two overlapping imports never mix."""
    if not plan.valid:
        raise ValueError("an invalid plan cannot be applied")
    transactions.serialised(IMPORT_LOCK)
    changed = db.session.execute(
        sa.select(AuditEntry.actor, AuditEntry.at, AuditEntry.entity)
        .where(AuditEntry.id > plan.mark, plan.watched())
        .order_by(AuditEntry.id.desc()).limit(1)).first()
    if changed is not None:
        resource = RESOURCES.get(changed.entity)
        sheet = resource.sheet_name(str(get_locale())) if resource else changed.entity
        raise Stale(_("%(entity)s changed at %(at)s (by %(actor)s) after the workbook was checked",
                      entity=sheet, at=when(changed.at), actor=changed.actor))
    batch = ImportBatch(
        actor=audit.current_actor(), filename=filename[:255],
        sha256=hashlib.sha256(content).hexdigest(), content=content, sync=plan.sync,
        counts={s.resource.name: dict(s.counts) for s in plan.sheets},
    )
    db.session.add(batch)
    db.session.flush()
    if plan.kind in KINDS and KINDS[plan.kind].write is not None:
        with audit.in_batch(batch.id):
            undo = KINDS[plan.kind].write(plan)
        _keep_undo(batch, zlib.compress(json.dumps({**EMPTY_UNDO, **undo}).encode()))
        return batch
    writer = Writer(batch, plan.renamed, progress,
                    sum(s.counts[a] for s in plan.sheets for a in ("create", "update", "delete")))
    try:
        with collector_paused(), transactions.bulk_cache():
            for sheet in plan.sheets:
                writer.create(sheet)
                writer.update(sheet)
                writer.told(sheet, ("create", "update"))
            for sheet in reversed(plan.sheets):
                writer.delete(sheet)
                writer.told(sheet, ("delete",))
            writer.finish()
    except sa.exc.IntegrityError:
        # a form saved a record with a key of the workbook (a suggested ENT- number) after the
        # check above and before this write: the unique index refused the row; plan again
        raise Stale(_("a record with a key of the workbook was saved while it was applied")) \
            from None
    return batch


#: what a revert reads: ids created, old values of rows updated, rows deleted, links made and removed
EMPTY_UNDO = {"create": {}, "update": {}, "delete": {}, "links": [], "unlinks": []}


class Writer:
    """Bulk statements for one batch, with the audit entries and the undo record they need,
    written CHUNK records at a time (memory stays flat whatever the number of rows)."""

    def __init__(self, batch: ImportBatch, renamed: dict, progress: Progress = ignore,
                 changed: int = 0):
        self.batch = batch
        self.progress = progress
        #: records written so far, of twice the records changed (each has an audit entry)
        self.done, self.total = 0, 2 * changed
        self.ids = IdMaps(renamed)
        self.now = utcnow()
        self.request_id = audit.request_id()
        self.actor = audit.current_actor()
        self.audits: list[dict] = []
        self.undo = UndoLog()

    def told(self, sheet: SheetPlan, actions: tuple[str, ...]) -> None:
        """Tell the progress once a sheet's records of these actions are written."""
        self.done += sum(sheet.counts[action] for action in actions)
        self.progress(min(self.done, self.total), self.total)

    def fk(self, resource: Resource, reference, values: dict) -> int | None:
        key = tuple(values.get(c) for c in reference.columns)
        if key[0] is None:
            return None
        return self.ids.lookup(reference.target, key)

    def create(self, sheet: SheetPlan) -> None:
        resource = sheet.resource
        table = resource.table
        shown = _shower(resource)
        self_refs = [r for r in resource.references if r.target == resource.name]
        referring = []  # (id, values) of the new records that refer to their own kind
        for rows in sheet.batches("create"):
            records = []
            for row in rows:
                record = {c.key: row.values[c.key] for c in resource.plain_columns}
                for reference in resource.references:
                    record[reference.fk] = None if reference in self_refs else \
                        self.fk(resource, reference, row.values)
                record.update(created_at=self.now, updated_at=self.now, revision=1)
                records.append(record)
            since = db.session.scalar(sa.select(sa.func.max(table.c.id))) or 0
            insert_rows(table, records)
            # one select of the new ids: RETURNING in order would cost a round trip per row on
            # SQLite
            ids = self.ids.added(resource, since)
            if self_refs:
                referring += [(ids[r.key], r.values) for r in rows
                              if any(r.values.get(ref.columns[0]) for ref in self_refs)]
            if resource.collection is not None:
                attr = resource.collection.attr
                self.link(resource, [(ids[r.key], r.values.get(attr)) for r in rows])
            self.undo.add("create", table.name, (ids[row.key] for row in rows))
            for row in rows:
                changes = {name: [None, new] for name, new in shown(row.values).items()
                           if new not in (None, "", [])}  # as a form's create logs it
                self.audit(AuditAction.CREATE, table.name, ids[row.key], row.key, changes)
        for reference in self_refs:  # once every record of the sheet has its id
            pairs = [{"b_id": record_id, "b_fk": self.fk(resource, reference, values)}
                     for record_id, values in referring if values.get(reference.columns[0])]
            if pairs:
                db.session.execute(
                    sa.update(table).where(table.c.id == sa.bindparam("b_id"))
                    .values({reference.fk: sa.bindparam("b_fk")}).execution_options(
                        synchronize_session=False), pairs)

    def update(self, sheet: SheetPlan) -> None:
        resource = sheet.resource
        table = resource.table
        plain = {c.key: c.kind == DATE for c in resource.plain_columns}
        for rows in sheet.batches("update"):
            groups: dict[tuple, list[dict]] = defaultdict(list)
            links, undo = [], []
            for row in rows:
                changed, old, shown = {}, {}, {}
                for key, (before, after) in row.changes.items():
                    if key in plain:
                        changed[key], old[key] = after, _raw(before)
                        shown[key] = [old[key], _raw(after)]
                for reference in resource.references:
                    if not any(c in row.changes for c in reference.columns):
                        continue
                    before = {c: row.changes[c][0] if c in row.changes else row.values.get(c)
                              for c in reference.columns}
                    changed[reference.fk] = self.fk(resource, reference, row.values)
                    old[reference.fk] = self.fk(resource, reference, before)
                    shown[reference.attr] = [_key_shown(before, reference.columns),
                                             _key_shown(row.values, reference.columns)]
                collection = resource.collection
                relinked = collection is not None and collection.attr in row.changes
                if relinked:
                    links.append((row.record_id, row.values.get(collection.attr)))
                    shown[collection.attr] = [_names(v) for v in row.changes[collection.attr]]
                if changed or relinked:  # a new link set is a new revision too
                    groups[tuple(sorted(changed))].append(
                        {"b_id": row.record_id, **{f"b_{c}": v for c, v in changed.items()}})
                    undo.append([row.record_id, old])
                self.audit(AuditAction.UPDATE, table.name, row.record_id, row.key, shown)
            for columns, params in groups.items():
                statement = (sa.update(table).where(table.c.id == sa.bindparam("b_id"))
                             .values({**{c: sa.bindparam(f"b_{c}") for c in columns},
                                      "updated_at": self.now, "revision": table.c.revision + 1})
                             .execution_options(synchronize_session=False))
                db.session.execute(statement, params)
            self.undo.add("update", table.name, undo)
            if links:
                self.unlink(resource, [owner for owner, _ in links])
                self.link(resource, links)

    def delete(self, sheet: SheetPlan) -> None:
        resource = sheet.resource
        table = resource.table
        shown = _shower(resource)
        for rows in sheet.batches("delete"):
            ids = [r.record_id for r in rows]
            if resource.collection is not None:
                self.unlink(resource, ids)
            stored = db.session.execute(sa.select(table).where(table.c.id.in_(ids))).mappings()
            self.undo.add("delete", table.name, ({k: _raw(v) for k, v in r.items()}
                                                 for r in stored))
            db.session.execute(sa.delete(table).where(table.c.id.in_(ids)))
            for row in rows:
                changes = {name: [old, None] for name, old in shown(row.values).items()
                           if old not in (None, "", [])}
                self.audit(AuditAction.DELETE, table.name, row.record_id, row.key, changes)

    def link(self, resource: Resource, owners: list[tuple[int, str | None]]) -> None:
        collection = resource.collection
        owner_column, target_column = collection.link_columns
        pairs = [{owner_column: owner,
                  target_column: self.ids.lookup(collection.target, (name,))}
                 for owner, names in owners if names for name in names.split(LIST_SEPARATOR)]
        if pairs:
            db.session.execute(sa.insert(collection.secondary), pairs)
            self.undo.add("links", None, ([collection.secondary.name, p[owner_column],
                                            p[target_column]] for p in pairs))

    def unlink(self, resource: Resource, owners: list[int]) -> None:
        table = resource.collection.secondary
        owner, target = (table.c[name] for name in resource.collection.link_columns)
        for start in range(0, len(owners), CHUNK):
            chunk = owners[start:start + CHUNK]
            self.undo.add("unlinks", None, ([table.name, *row] for row in db.session.execute(
                sa.select(owner, target).where(owner.in_(chunk)))))
            db.session.execute(sa.delete(table).where(owner.in_(chunk)))

    def audit(self, action: AuditAction, entity: str, record_id: int, key: tuple,
              changes: dict) -> None:
        self.audits.append({
            "actor": self.actor, "action": action, "entity": entity,
            "record_id": record_id, "record_label": key_label(key)[:255], "changes": changes,
            "request_id": self.request_id, "batch_id": self.batch.id,
        })
        if len(self.audits) >= CHUNK:
            self.logged()

    def logged(self) -> None:
        """Insert the audit entries gathered so far."""
        insert_rows(AuditEntry.__table__, self.audits)
        self.done += len(self.audits)
        self.progress(min(self.done, self.total), self.total)
        self.audits = []

    def finish(self) -> None:
        self.logged()
        _keep_undo(self.batch, self.undo.compressed())


def _keep_undo(batch: ImportBatch, undo: bytes) -> None:
    db.session.execute(sa.insert(ImportUndo), {"batch_id": batch.id, "undo": undo})


def _undo_of(batch: ImportBatch) -> dict:
    undo = db.session.scalar(sa.select(ImportUndo.undo).where(ImportUndo.batch_id == batch.id))
    return json.loads(zlib.decompress(undo))


def _shower(resource: Resource):
    """A function giving a row's values as the audit log shows them (as a form's change shows
    them): references by natural key, lists as lists, under the model's attribute names (built
    once per sheet: it runs for every row)."""
    plain = [(c.key, c.kind) for c in resource.columns if c.reference is None and c.key != "id"]
    references = [(r.attr, r.columns) for r in resource.references]

    def shown(values: dict) -> dict:
        result = {}
        for key, kind in plain:
            value = values.get(key)
            if kind == REFLIST:
                value = _names(value)
            elif kind == DATE and value is not None:
                value = value.isoformat()
            result[key] = value
        for attr, columns in references:
            if len(columns) == 1:
                result[attr] = values.get(columns[0])
            else:
                key = tuple(values.get(c) for c in columns)
                result[attr] = None if key[0] is None else key_label(key)
        return result

    return shown


def _names(joined: str | None) -> list[str]:
    """A list cell's names, as the audit log keeps a collection."""
    return sorted(joined.split(LIST_SEPARATOR)) if joined else []


def _key_shown(values: dict, columns: tuple) -> str | None:
    key = tuple(values.get(c) for c in columns)
    return None if key[0] is None else key_label(key)


def _raw(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    return getattr(value, "value", value)


def revert_refusal(batch: ImportBatch) -> str | None:
    """Why the batch cannot be reverted now (None: it can): it was reverted already, or a record
    it touched has changed since."""
    if batch.status == BatchStatus.REVERTED:
        return _("this import has already been reverted")
    undo = _undo_of(batch)
    touched = {(table, record_id) for table, ids in undo["create"].items() for record_id in ids}
    touched |= {(table, item[0]) for table, items in undo["update"].items() for item in items}
    touched |= {(table, row["id"]) for table, rows in undo["delete"].items() for row in rows}
    last = db.session.scalar(sa.select(sa.func.max(AuditEntry.id))
                             .where(AuditEntry.batch_id == batch.id)) or 0
    later = db.session.execute(sa.select(AuditEntry.entity, AuditEntry.record_id)
                               .where(AuditEntry.id > last)).all()
    changed = sorted({(entity, record_id) for entity, record_id in later} & touched)
    if not changed:
        return None
    shown = ", ".join(f"{entity} #{record_id}" for entity, record_id in changed[:10])
    more = _(" and %(count)s more", count=len(changed) - 10) if len(changed) > 10 else ""
    return _("records changed since this import: %(records)s%(more)s", records=shown, more=more)


def revert(batch: ImportBatch) -> int:
    """Undo an applied batch; refuse when any record it touched has changed since."""
    refusal = revert_refusal(batch)
    if refusal:
        raise RevertRefused(refusal)
    undo = _undo_of(batch)
    now = utcnow()
    order = [table for table in db.metadata.sorted_tables
             if any(table.name in undo[kind] for kind in ("create", "update", "delete"))]
    entries = []
    applied = {(entity, record_id): (label, changes) for entity, record_id, label, changes in
               db.session.execute(sa.select(AuditEntry.entity, AuditEntry.record_id,
                                            AuditEntry.record_label, AuditEntry.changes)
                                  .where(AuditEntry.batch_id == batch.id))}

    def record(action, table, record_id):
        """The import's own change to the record, the other way round (rows the import did not
        log, such as a questionnaire's answers, go with their record's)."""
        if (table, record_id) not in applied:
            return
        label, changes = applied[(table, record_id)]
        entries.append({"actor": audit.current_actor(), "action": action,
                        "entity": table, "record_id": record_id, "record_label": label,
                        "changes": {name: [new, old] for name, (old, new) in changes.items()},
                        "request_id": audit.request_id(), "batch_id": batch.id})

    for table, row in map(_link, undo["links"]):
        db.session.execute(sa.delete(table).where(*(table.c[k] == v for k, v in row.items())))
    for table in reversed(order):
        ids = undo["create"].get(table.name, [])
        if ids:
            db.session.execute(sa.delete(table).where(table.c.id.in_(ids)))
            for record_id in ids:
                record(AuditAction.DELETE, table.name, record_id)
    for table in order:
        rows = undo["delete"].get(table.name, [])
        if rows:
            db.session.execute(sa.insert(table), [_typed(table, row) for row in rows])
            for row in rows:
                record(AuditAction.CREATE, table.name, row["id"])
        for record_id, old in undo["update"].get(table.name, []):
            db.session.execute(sa.update(table).where(table.c.id == record_id)
                               .values(**_typed(table, old), updated_at=now,
                                       revision=table.c.revision + 1))
            record(AuditAction.UPDATE, table.name, record_id)
    for table, row in map(_link, undo["unlinks"]):
        db.session.execute(sa.insert(table).values(row))
    for start in range(0, len(entries), CHUNK):
        db.session.execute(sa.insert(AuditEntry.__table__), entries[start:start + CHUNK])
    batch.status = BatchStatus.REVERTED
    batch.reverted_at = now
    batch.reverted_by = audit.current_actor()
    db.session.flush()
    return len(entries)


def _typed(table: sa.Table, values: dict) -> dict:
    """JSON values back into the column types (dates, timestamps)."""
    typed = {}
    for name, value in values.items():
        column_type = table.c[name].type
        if value is not None and isinstance(column_type, sa.DateTime):
            value = datetime.fromisoformat(value)
        elif value is not None and isinstance(column_type, sa.Date):
            value = date.fromisoformat(value)
        typed[name] = value
    return typed


def _link(entry: list) -> tuple[sa.Table, dict]:
    """An association row of an undo record, [table, owner id, target id], as its table and
    values (batches applied before tables were named hold [owner id, target id] of the one
    association the workbook has)."""
    collections = [r.collection for r in RESOURCES.values() if r.collection is not None]
    if len(entry) == 2:
        entry = [collections[0].secondary.name, *entry]
    collection = next(c for c in collections if c.secondary.name == entry[0])
    return collection.secondary, dict(zip(collection.link_columns, entry[1:], strict=True))
