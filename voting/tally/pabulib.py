"""Read and write Pabulib ``.pb`` files (META, PROJECTS, VOTES sections separated by ``;``).

Real files vary; the reader accepts on purpose, and reports in ``Election.notes``:

- a UTF-8 or UTF-16 byte-order mark, CRLF or CR line ends, any other encoding
  when it is named (``encoding="cp1252"``); a file that is not valid UTF-8 and
  names no encoding is refused with the line of the first bad byte;
- extra columns in any order, quoted fields (names containing ``;``), ``none``
  for missing values, blank lines;
- decimal budgets and costs (``1500,50`` or ``1500.50``): all money is scaled by
  the smallest power of ten that makes it whole, recorded as ``Election.unit``;
- non-numeric project ids (compared as strings);
- the cost sentinel 999999999, used for projects that cannot be built: the
  project stays on the ballot but no method funds it;
- a ballot listing the same project twice: counted once, at its first position
  (with its first points); the number of such ballots and the first line are reported.

Anything else malformed raises PabulibError naming the line: missing sections
or headers, bad numbers, votes for projects not in PROJECTS, unknown vote types.
Identical ballots are merged while reading (by their raw text first, which is
what makes reading a city fast), and VOTES metadata columns are not kept.
"""

from __future__ import annotations

import csv
import gc
import io
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from fractions import Fraction
from pathlib import Path

from .errors import PabulibError
from .model import BallotGroup, BallotKind, Election, Project, Score
from .outcome import Outcome

COST_SENTINEL = 999_999_999
"""Cost some Pabulib files give projects that cannot be built."""

_VOTE_TYPES = {
    "approval": BallotKind.APPROVAL,
    "choose-1": BallotKind.APPROVAL,
    "ordinal": BallotKind.ORDINAL,
    "cumulative": BallotKind.CUMULATIVE,
    "scoring": BallotKind.SCORING,
}
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")
_SECTIONS = ("meta", "projects", "votes")


def read_pabulib(path: str | Path, *, encoding: str | None = None) -> Election:
    """Read a .pb file. Raises PabulibError (with the line) or OSError."""
    return parse_pabulib(decode_pabulib(Path(path).read_bytes(), encoding=encoding))


def decode_pabulib(data: bytes, *, encoding: str | None = None) -> str:
    """Bytes to text: the named encoding, else a BOM's, else strict UTF-8 (PabulibError on bad bytes)."""
    if encoding is None:
        if data.startswith(b"\xef\xbb\xbf"):
            data, encoding = data[3:], "utf-8"
        elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
            encoding = "utf-16"
        else:
            encoding = "utf-8"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise PabulibError(
            f"not valid {encoding} (byte 0x{data[exc.start]:02X} at column {column}); "
            "if the file was saved as Latin-1 or Windows-1252, name the encoding (--encoding cp1252)",
            line=line,
        ) from None
    except LookupError:
        raise PabulibError(f"unknown encoding {encoding!r}") from None
    return text.removeprefix("\ufeff")


def parse_pabulib(text: str) -> Election:
    """Parse the text of a .pb file into an Election. Raises PabulibError naming the line."""
    # Reading a city allocates hundreds of thousands of small lists and tuples that all
    # stay alive; the cyclic garbage collector would rescan them over and over (it has
    # nothing to free here), so it is paused while parsing and restored afterwards.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _parse(text)
    finally:
        if enabled:
            gc.enable()


def _parse(text: str) -> Election:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    reader = csv.reader(lines, delimiter=";")
    meta: dict[str, str] = {}
    meta_lines: dict[str, int] = {}
    project_rows: list[tuple[int, dict[str, str]]] = []
    votes: dict[tuple[str, str], list[int]] = {}
    voters = 0
    seen: list[str] = []
    section = ""
    vote_col = points_col = -1
    header: list[str] = []
    votes_line = 0
    body_start = -1
    rows: Iterator[list[str]] = iter(reader)
    for row in rows:
        line = reader.line_num
        if section == "votes" and len(row) > 1 and len(row) > vote_col:
            # The hot path: one row per voter. Count raw vote texts; parse each distinct one later.
            voters += 1
            key = (row[vote_col], row[points_col] if 0 <= points_col < len(row) else "")
            entry = votes.get(key)
            if entry is None:
                votes[key] = [1, line]
            else:
                entry[0] += 1
            continue
        if not row or all(not cell.strip() for cell in row):
            continue
        first = row[0].strip().lower()
        if first in _SECTIONS and all(not cell.strip() for cell in row[1:]):
            if first in seen:
                raise PabulibError(f"second {first.upper()} section", line=line)
            expected = _SECTIONS[len(seen)] if len(seen) < 3 else ""
            if first != expected:
                raise PabulibError(f"{first.upper()} section found where {expected.upper()} was expected", line=line)
            seen.append(first)
            section = first
            header = [h.strip().lower() for h in next(rows, [])]
            if not header or not any(header):
                raise PabulibError(f"{first.upper()} section has no header row", line=line + 1)
            if section == "projects":
                for needed in ("project_id", "cost"):
                    if needed not in header:
                        raise PabulibError(f"PROJECTS header has no {needed!r} column", line=reader.line_num)
            if section == "votes":
                votes_line = reader.line_num
                if "vote" not in header:
                    raise PabulibError("VOTES header has no 'vote' column", line=votes_line)
                vote_col = header.index("vote")
                points_col = header.index("points") if "points" in header else -1
                body = lines[reader.line_num :]
                if '"' not in "".join(body):
                    # No quoting in the votes (the usual case): split lines directly, which is
                    # several times faster than the csv module for a city's ballots.
                    voters, votes, body_start = _count_plain_votes(body, reader.line_num, vote_col, points_col)
                    break
            continue
        if section == "meta":
            if len(row) < 2:
                raise PabulibError(f"META row {row[0]!r} has no value", line=line)
            meta_key = row[0].strip().lower()
            meta[meta_key] = row[1].strip()
            meta_lines[meta_key] = line
        elif section == "projects":
            if len(row) < len(header):
                row = row + [""] * (len(header) - len(row))
            project_rows.append((line, {h: cell.strip() for h, cell in zip(header, row, strict=False) if h}))
        elif section == "votes":
            voters += 1
            vote = "" if len(row) <= vote_col else row[vote_col]
            points = row[points_col] if 0 <= points_col < len(row) else ""
            key = (vote, points)
            entry = votes.get(key)
            if entry is None:
                votes[key] = [1, line]
            else:
                entry[0] += 1
        else:
            raise PabulibError("data before the META section", line=line)
    for name in _SECTIONS:
        if name not in seen:
            last_line = max((k + 1 for k, text in enumerate(lines) if text.strip()), default=1)
            raise PabulibError(f"the file has no {name.upper()} section", line=last_line)
    return _build(meta, meta_lines, project_rows, votes, voters, votes_line, points_col, lines, body_start, vote_col)


def _count_plain_votes(
    body: list[str], offset: int, vote_col: int, points_col: int
) -> tuple[int, dict[tuple[str, str], list[int]], int]:
    """Count the raw (vote, points) texts of unquoted VOTES lines; first lines are found later, on demand.

    Raises PabulibError for a section marker after VOTES.
    """
    if points_col < 0:
        # Only the vote matters: split no further than its column and count the texts in C.
        rows = [line.split(";", vote_col + 1) for line in body]
        texts = [row[vote_col] for row in rows if len(row) > vote_col]
        counts: Counter[tuple[str, str]] = Counter({(text, ""): n for text, n in Counter(texts).items()})
        voters = len(texts)
    else:
        rows = [line.split(";") for line in body]
        pairs = [
            (row[vote_col], row[points_col] if points_col < len(row) else "") for row in rows if len(row) > vote_col
        ]
        counts = Counter(pairs)
        voters = len(pairs)
    short = [] if voters == len(rows) else [k for k, row in enumerate(rows) if len(row) <= vote_col]
    for k in short:
        row = rows[k]
        if any(cell.strip() for cell in row):
            first = row[0].strip().lower()
            if first in _SECTIONS:
                raise PabulibError(f"second {first.upper()} section", line=offset + k + 1)
            counts[("", "")] += 1
            voters += 1
    return voters, {key: [n, 0] for key, n in counts.items()}, offset


def _first_line(lines: list[str], start: int, vote_col: int, points_col: int, key: tuple[str, str]) -> int:
    """The line of the first ballot whose raw (vote, points) is ``key`` (for messages)."""
    for k in range(start, len(lines)):
        row = lines[k].split(";")
        if len(row) > vote_col and (row[vote_col], row[points_col] if 0 <= points_col < len(row) else "") == key:
            return k + 1
    return start


def _build(
    meta: dict[str, str],
    meta_lines: dict[str, int],
    project_rows: list[tuple[int, dict[str, str]]],
    votes: dict[tuple[str, str], list[int]],
    voters: int,
    votes_line: int,
    points_col: int,
    lines: list[str],
    body_start: int,
    vote_col: int,
) -> Election:
    notes: list[str] = []
    if "vote_type" not in meta:
        raise PabulibError("META has no vote_type", line=min(meta_lines.values(), default=1))
    kind = _VOTE_TYPES.get(meta["vote_type"].lower())
    if kind is None:
        raise PabulibError(
            f"vote_type {meta['vote_type']!r} is not one of {', '.join(_VOTE_TYPES)}", line=meta_lines["vote_type"]
        )
    if "budget" not in meta:
        raise PabulibError("META has no budget", line=min(meta_lines.values(), default=1))
    budget = _money(meta["budget"], line=meta_lines["budget"], what="budget")
    raw: list[tuple[int, dict[str, str], Fraction]] = []
    index: dict[str, int] = {}
    for line, fields in project_rows:
        pid = fields.get("project_id", "")
        if not pid:
            raise PabulibError("project without project_id", line=line)
        if pid in index:
            raise PabulibError(f"project {pid!r} appears twice in PROJECTS", line=line)
        index[pid] = len(raw)
        raw.append((line, fields, _money(fields.get("cost", ""), line=line, what=f"cost of project {pid!r}")))
    unit = _unit([budget] + [c for _, _, c in raw])
    if unit != 1:
        notes.append(f"decimal amounts: money is counted in units of 1/{unit}")
    projects: list[Project] = []
    for line, fields, cost in raw:
        eligible = cost != COST_SENTINEL
        if not eligible:
            notes.append(
                f"project {fields['project_id']} has the cost sentinel {COST_SENTINEL} (line {line}): not funded"
            )
        projects.append(
            Project(
                id=fields["project_id"],
                cost=int(cost * unit),
                name=fields.get("name", "") if fields.get("name", "").lower() != "none" else "",
                territory=fields.get("territory") or fields.get("district") or "",
                eligible=eligible,
                meta=fields,
            )
        )
    if kind in (BallotKind.CUMULATIVE, BallotKind.SCORING) and points_col < 0 and any(v for v, _ in votes):
        raise PabulibError(f"{kind} votes need a 'points' column", line=votes_line)
    merged: dict[tuple[tuple[int, ...], tuple[Score, ...] | None], int] = {}
    repeated = 0
    repeated_line = 0
    approval = kind is BallotKind.APPROVAL
    for (vote, points), (count, line) in votes.items():
        if approval and vote:
            # Fast path for the common "3,17,42": known ids, no spaces, no repeats.
            fast: list[int] | None
            try:
                fast = list(map(index.__getitem__, vote.split(",")))
            except KeyError:
                fast = None  # an unknown id: the careful path below reports it with its line
            if fast is not None and (len(fast) == 1 or len(set(fast)) == len(fast)):
                fast.sort()
                fast_key = (tuple(fast), None)
                merged[fast_key] = merged.get(fast_key, 0) + count
                continue
        try:
            key, had_repeat = _ballot(vote, points, index, kind, line)
        except PabulibError as exc:
            if exc.line:
                raise
            raise PabulibError(
                exc.reason, line=_first_line(lines, body_start, vote_col, points_col, (vote, points))
            ) from None
        if had_repeat and not line:
            line = _first_line(lines, body_start, vote_col, points_col, (vote, points))
        if had_repeat:
            repeated += count
            repeated_line = repeated_line or line
        merged[key] = merged.get(key, 0) + count
    if repeated:
        notes.append(
            f"{repeated} ballot(s) list the same project twice (first on line {repeated_line}): "
            "counted once, at the first position"
        )
    declared = meta.get("num_votes")
    if declared and declared.isdigit() and int(declared) != voters:
        notes.append(f"META num_votes says {declared} but the file has {voters} ballots; counting the ballots")
    max_length: int | None = None
    if meta.get("max_length", "").isdigit():
        max_length = int(meta["max_length"])
    groups = tuple(BallotGroup(projects=ps, points=pts, weight=w) for (ps, pts), w in merged.items())
    return Election(
        projects=tuple(projects),
        budget=int(budget * unit),
        kind=kind,
        groups=groups,
        unit=unit,
        max_length=max_length,
        meta=meta,
        notes=tuple(notes),
    )


def _ballot(
    vote: str, points: str, index: Mapping[str, int], kind: BallotKind, line: int
) -> tuple[tuple[tuple[int, ...], tuple[Score, ...] | None], bool]:
    ids = [x.strip() for x in vote.split(",")] if vote.strip() and vote.strip().lower() != "none" else []
    ids = [x for x in ids if x]
    pts: list[Score] = []
    if kind in (BallotKind.CUMULATIVE, BallotKind.SCORING) and ids:
        parts = [p.strip() for p in points.split(",")]
        if len(parts) != len(ids):
            raise PabulibError(f"vote lists {len(ids)} projects but points has {len(parts)} values", line=line)
        for part in parts:
            value = _number(part, line=line, what="points")
            pts.append(value.numerator if value.denominator == 1 else value)
    positions: list[int] = []
    kept: list[Score] = []
    seen: set[int] = set()
    repeated = False
    for k, pid in enumerate(ids):
        i = index.get(pid)
        if i is None:
            raise PabulibError(f"vote names project {pid!r}, which is not in PROJECTS", line=line)
        if i in seen:
            repeated = True
            continue
        seen.add(i)
        positions.append(i)
        if pts:
            kept.append(pts[k])
    if kind is BallotKind.ORDINAL:
        return (tuple(positions), None), repeated
    if kind is BallotKind.APPROVAL:
        return (tuple(sorted(positions)), None), repeated
    pairs = sorted(zip(positions, kept, strict=True))
    return (tuple(i for i, _ in pairs), tuple(p for _, p in pairs)), repeated


def _number(text: str, *, line: int, what: str) -> Fraction:
    cleaned = text.strip().replace(" ", "").replace("\u00a0", "")
    if not _NUMBER.match(cleaned):
        raise PabulibError(f"{what} {text.strip()!r} is not a number", line=line)
    return Fraction(cleaned.replace(",", "."))


def _money(text: str, *, line: int, what: str) -> Fraction:
    value = _number(text, line=line, what=what)
    if value < 0:
        raise PabulibError(f"{what} is negative", line=line)
    return value


def _unit(amounts: list[Fraction]) -> int:
    unit = 1
    while any((a * unit).denominator != 1 for a in amounts):
        unit *= 10
        if unit > 10**9:
            raise PabulibError("amounts with more than 9 decimals")
    return unit


def write_pabulib(election: Election, *, outcome: Outcome | None = None, description: str = "") -> str:
    """The election as .pb text; with ``outcome``, PROJECTS gets ``votes``/``score`` and ``selected`` columns.

    Ballot groups are written out one row per voter (voter ids 1..n) so any
    Pabulib tool reads the same profile back.
    """
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    kind = election.kind
    meta = {k: v for k, v in election.meta.items() if k not in ("budget", "vote_type", "num_projects", "num_votes")}
    if description:
        meta["description"] = description
    writer.writerow(["META"])
    writer.writerow(["key", "value"])
    for key, value in [
        ("budget", _show_money(election.budget, election.unit)),
        ("vote_type", str(kind)),
        ("num_projects", str(len(election.projects))),
        ("num_votes", str(election.num_voters)),
        *meta.items(),
    ]:
        writer.writerow([key, value])
    writer.writerow(["PROJECTS"])
    columns = ["project_id", "cost", "name"]
    if outcome is not None:
        columns += ["score", "selected"]
    writer.writerow(columns)
    results = {r.project_id: r for r in outcome.projects} if outcome else {}
    for p in election.projects:
        cost = COST_SENTINEL * election.unit if not p.eligible else p.cost
        row = [p.id, _show_money(cost, election.unit), p.name]
        if outcome is not None:
            r = results[p.id]
            row += [str(r.score), "1" if r.funded else "0"]
        writer.writerow(row)
    writer.writerow(["VOTES"])
    points = kind in (BallotKind.CUMULATIVE, BallotKind.SCORING)
    writer.writerow(["voter_id", "vote", "points"] if points else ["voter_id", "vote"])
    voter = 0
    for group in election.groups:
        vote = ",".join(election.projects[i].id for i in group.projects)
        # "none" rather than an empty field: other Pabulib readers choke on empty points.
        pts = ",".join(str(x) for x in group.points) if group.points else "none"
        for _ in range(group.weight):
            voter += 1
            writer.writerow([voter, vote, pts] if points else [voter, vote])
    return out.getvalue()


def _show_money(amount: int, unit: int) -> str:
    if unit == 1:
        return str(amount)
    decimals = len(str(unit)) - 1
    whole, frac = divmod(amount, unit)
    return f"{whole}.{frac:0{decimals}d}"
