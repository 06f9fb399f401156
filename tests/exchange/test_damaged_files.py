"""Property: whatever bytes of a real exported workbook are changed (header fields, compressed data,
the XML inside a well-formed zip, the end cut off), `registry import` ends with exit 0, 1 or 2 and
never a traceback; a refused file (exit 2) gets exactly one line, starting "Refused:"."""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registry.cli import cli
from registry.exchange import write
from registry.extensions import db
from tests import factories as f

#: the fields of a zip's local (PK 3 4) and central (PK 1 2) headers: offset and struct format
LOCAL_FIELDS = {"flags": (6, "<H"), "method": (8, "<H"), "crc": (14, "<I"), "compressed": (18, "<I"),
                "size": (22, "<I"), "name length": (26, "<H"), "extra length": (28, "<H")}
CENTRAL_FIELDS = {"flags": (8, "<H"), "method": (10, "<H"), "crc": (16, "<I"),
                  "compressed": (20, "<I"), "size": (24, "<I"), "name length": (28, "<H"),
                  "extra length": (30, "<H"), "offset": (42, "<I")}
SIGNATURES = {b"PK\x03\x04": LOCAL_FIELDS, b"PK\x01\x02": CENTRAL_FIELDS}


@pytest.fixture
def exported(app_ctx, tmp_path) -> Path:
    """A workbook exported from a registry holding one record of every kind."""
    consignee = f.make_consignee(name="株式会社ひかり")
    category = f.make_category(name="氏名")
    purpose = f.make_purpose(code="P1")
    f.make_link(purpose=purpose, category=category, reason="配送")
    f.make_certification(consignee=consignee)
    f.make_entrustment(consignee=consignee, purpose=purpose, categories=[category])
    f.make_contract(consignee=consignee)
    f.make_finding(check=f.make_check(consignee=consignee))
    f.make_grant(employee=f.make_employee(), category=category)
    db.session.flush()
    path = tmp_path / "exported.xlsx"
    write.export(path, "ja")
    return path


def headers(data: bytes) -> list[int]:
    """Where the local and central headers start."""
    found = []
    for signature in SIGNATURES:
        at = data.find(signature)
        while at != -1:
            found.append(at)
            at = data.find(signature, at + 4)
    return sorted(found)


# Mutations are drawn as plain numbers and applied to the workbook in the test (positions taken
# modulo its length), so that failures print small and shrink well.

header_lies = st.tuples(st.just("header"), st.integers(0, 999), st.integers(0, 99), st.one_of(
    st.tuples(st.just("near"), st.integers(-64, 64)),
    st.tuples(st.just("set"), st.integers(0, 0xFFFFFFFF))))
flipped_bytes = st.tuples(st.just("flip"), st.lists(
    st.tuples(st.integers(0, 10**9), st.integers(0, 255)), min_size=1, max_size=8))
cut = st.tuples(st.just("cut"), st.integers(0, 10**9))
garbage_in_a_part = st.tuples(st.just("garbage"), st.integers(0, 999), st.integers(0, 10**9),
                              st.integers(0, 16), st.one_of(
    st.binary(min_size=1, max_size=16),
    st.sampled_from([b"<", b">", b"</", b"&", b"&amp", b'"', b'<c r="ZZZ99999999">', b"<v>", b"<f/>",
                     b't="e"', b"\x00", b"\xff\xfe", b"]]>", b"<![CDATA[", b"-1"])))


def mutate(data: bytes, mutation: tuple, directory: Path) -> bytes:
    kind, *how = mutation
    if kind == "header":  # one header field of one entry says something else
        which, field_number, (mode, number) = how
        at = (found := headers(data))[which % len(found)]
        fields = SIGNATURES[data[at:at + 4]]
        offset, layout = fields[sorted(fields)[field_number % len(fields)]]
        limit = 0xFFFF if layout == "<H" else 0xFFFFFFFF
        old = struct.unpack_from(layout, data, at + offset)[0]
        changed = bytearray(data)
        struct.pack_into(layout, changed, at + offset,
                         min(max(old + number, 0), limit) if mode == "near" else number & limit)
        return bytes(changed)
    if kind == "flip":
        changed = bytearray(data)
        for position, value in how[0]:
            changed[position % len(data)] = value
        return bytes(changed)
    if kind == "cut":
        return data[:how[0] % len(data)]
    # garbage: a well-formed zip (right sizes and checksums) with bytes of one part's XML replaced
    which, position, length, garbage = how
    source = directory / "source.xlsx"
    source.write_bytes(data)
    with zipfile.ZipFile(source) as archive:
        parts = {entry.filename: archive.read(entry) for entry in archive.infolist()}
    name = sorted(parts)[which % len(parts)]
    text = bytearray(parts[name])
    start = position % max(len(text), 1)
    text[start:start + length] = garbage
    parts[name] = bytes(text)
    target = directory / "garbage.xlsx"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, content in parts.items():
            archive.writestr(part, content)
    return target.read_bytes()


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(mutation=st.one_of(header_lies, flipped_bytes, cut, garbage_in_a_part))
def test_a_damaged_workbook_is_refused_in_one_line_or_read(app, exported, tmp_path, mutation):
    path = tmp_path / "damaged.xlsx"
    path.write_bytes(mutate(exported.read_bytes(), mutation, tmp_path))
    result = app.test_cli_runner().invoke(cli, ["import", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert "Traceback" not in result.output
    assert result.exit_code in (0, 1, 2), result.output
    if result.exit_code == 2:
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("Refused:"), result.stderr
