"""Read the positions files a user uploads into one household `Statement`.

    from rebalance_service.importers import read_statement
    statement = read_statement([("Portfolio_Positions_Mar-04-2025.csv", data)])

Each file is decoded (`text`), split into CSV records (`rows`), recognised from its
content (`detect`) and read by its brokerage's module (`fidelity`, `schwab`,
`vanguard`); `dates` reads download dates and `privacy` keeps account numbers out
of messages. Files merge into one household: one upload may hold a file per
brokerage. Everything here is pure: bytes in, values out, no I/O.

Every problem in every file is collected before anything is raised, so a user
fixes their upload once: `StatementError.problems` names the file, the line (None
for the file as a whole) and what was wrong. A garbled file can have a problem on
every row, so the first `MAX_LISTED` are listed and the rest only counted; so are
warnings. A household of more than `MAX_ACCOUNTS` accounts is refused whole. Rows
that were understood but are not invested (a linked outside account, an option, a
fund without a symbol) are `Statement.warnings`, plain sentences.

Rules across files:

- An account number that appears in two files is a problem, said once per pair of
  files ("holds the same accounts as A.csv (...1234, ...5678); A.csv is the newer,
  downloaded 2025-03-04: upload one of them"): two downloads of the same account
  would count it twice, and neither copy can be preferred safely. Within one file
  an account's rows are gathered wherever they appear.
- `Statement.downloaded` is the latest download date any file states; files
  downloaded on different days get a warning, since their prices differ.
- No message or warning carries a full account number: numbers are masked to their
  last characters, and as a last guard every account number read is scrubbed from
  every message and file name before they leave this package (the service returns
  them to clients and logs them).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from rebalancer.statement import (
    AccountStatement,
    ImportProblem,
    Statement,
    StatementError,
)

from . import fidelity, schwab, vanguard
from .detect import Activity, Layout, detect
from .privacy import mask, redact
from .rows import FileResult, Records
from .text import decode

__all__ = ["StatementError", "read_file", "read_statement"]

_PARSERS = {
    Layout.FIDELITY: fidelity.parse,
    Layout.SCHWAB: schwab.parse,
    Layout.VANGUARD: vanguard.parse,
}
_UNKNOWN = (
    "is not a positions export this tool can read "
    "(expected a Fidelity, Schwab or Vanguard positions CSV)"
)
# A household's accounts: the config service looks up at most this many at once.
MAX_ACCOUNTS = 1000
# Problems and warnings listed; a garbled file can have one per row, and every one
# is scrubbed of every account number, so their count bounds the work and the answer.
MAX_LISTED = 100


def read_statement(files: Sequence[tuple[str, bytes]]) -> Statement:
    """Read every uploaded (file name, bytes) into one household, or raise StatementError."""
    if not files:
        raise StatementError([ImportProblem("upload", None, "no file was uploaded")])
    problems: list[ImportProblem] = []
    warnings: list[str] = []
    accounts: list[AccountStatement] = []
    owner: dict[str, str] = {}  # account number -> the file it came from
    dates: dict[date, str] = {}
    file_dates: dict[str, date | None] = {}
    repeated: dict[tuple[str, str], tuple[int, list[str]]] = {}  # (first, again) -> line, masks
    secrets: set[str] = set()

    for source, data in files:
        result = read_file(source, data)
        secrets |= result.secrets
        problems += result.problems
        warnings += result.warnings
        file_dates[source] = result.downloaded
        if result.downloaded is not None:
            dates.setdefault(result.downloaded, source)
        for account, line in result.accounts:
            first = owner.get(account.number)
            if first is not None:
                found = repeated.setdefault((first, source), (line, []))
                found[1].append(mask(account.number))
                continue
            owner[account.number] = source
            accounts.append(account)
    for (first, again), (line, masks) in repeated.items():
        problems.append(ImportProblem(again, line, _repeated(first, again, masks, file_dates)))

    if len(owner) > MAX_ACCOUNTS:
        message = f"the files hold {len(owner)} accounts; at most {MAX_ACCOUNTS} can be read"
        raise StatementError([ImportProblem("upload", None, message)])
    secrets = {secret for secret in secrets if len(secret) >= 4}
    if problems:
        listed = [_scrubbed(problem, secrets) for problem in problems[:MAX_LISTED]]
        if len(problems) > MAX_LISTED:
            more = f"{len(problems) - MAX_LISTED} more problems are not listed"
            listed.append(ImportProblem("upload", None, more))
        raise StatementError(listed)
    if len(dates) > 1:
        days = ", ".join(f"{day.isoformat()} ({source})" for day, source in sorted(dates.items()))
        warnings.append(f"the files were downloaded on different days: {days}")
    if len(warnings) > MAX_LISTED:
        more = f"{len(warnings) - MAX_LISTED + 1} more warnings are not listed"
        warnings = [*warnings[: MAX_LISTED - 1], more]
    return Statement(
        accounts=tuple(accounts),
        warnings=tuple(redact(warning, secrets) for warning in warnings),
        downloaded=max(dates) if dates else None,
    )


def _repeated(first: str, again: str, masks: list[str], dates: dict[str, date | None]) -> str:
    """One message for every account two files share, saying which file is newer."""
    what = f"account {masks[0]}" if len(masks) == 1 else f"accounts {', '.join(masks)}"
    message = f"holds the same {what} as {first}"
    day, other = dates.get(again), dates.get(first)
    if day is not None and other is not None and day != other:
        newer, when = (again, day) if day > other else (first, other)
        message += f"; {newer} is the newer, downloaded {when.isoformat()}"
    elif day is not None and day == other:
        message += f"; both were downloaded on {day.isoformat()}"
    return message + ": upload one of them"


def read_file(source: str, data: bytes) -> FileResult:
    """Read one file; its problems are in the result, never raised."""
    decoded = decode(data)
    if decoded.text is None:
        result = FileResult(source)
        result.problem(None, decoded.problem or "is not a text file")
        return result
    records = Records(decoded.text)
    found = detect(records)
    if isinstance(found, Activity):
        result = FileResult(source)
        whose = f"the {found.brokerage}" if found.brokerage != "brokerage" else "the"
        result.problem(
            found.line, f"this is an activity export; upload {whose} positions export instead"
        )
        return result
    if found is None:
        result = FileResult(source)
        if records.error is not None:
            result.problem(*records.error)
        else:
            result.problem(None, _UNKNOWN)
        return result
    result = _PARSERS[found.layout](source, records, found.header_at)
    if records.error is not None:
        result.problem(*records.error)
    if decoded.note is not None:
        result.warn(None, decoded.note)
    return result


def _scrubbed(problem: ImportProblem, secrets: set[str]) -> ImportProblem:
    source = redact(problem.source, secrets)
    message = redact(problem.message, secrets)
    if source == problem.source and message == problem.message:
        return problem
    return ImportProblem(source, problem.line, message)
