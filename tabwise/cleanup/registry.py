"""The clean-up utilities: what each one is, and the one registry the pages and services read.

A utility module (tabwise/cleanup/utilities/<kind>.py) builds a `Utility` and calls `register(...)` at import;
`CleanupConfig.ready` imports every utility module.

    @dataclass(frozen=True)
    class Utility:
        kind, title, description, function, form, preview, apply, undo=None

- `form`: a Django form of the parameters; its cleaned_data must be JSON-serialisable (dates as ISO strings, ids
  as ints), because it is stored on the run and handed back to `preview` and `apply`.
- `preview(parameters) -> Preview`: runs in the business's scope and writes nothing. `Preview.changes` is the exact
  list the user is shown; it is stored on the run, and computed again when the run starts: if the two differ, the
  data changed since the preview and the run fails with nothing written (the framework checks this, not `apply`).
- `apply(step, parameters) -> dict`: does the work inside the run's one transaction (all or nothing), calling
  `step.progress(done)` now and then (`done` of `Preview.total` units), and returns the undo data (JSON). Changes
  whose `group` is in `step.skip_groups` (groups the user unticked on the preview page) must be left alone.
  `apply` writes its own row changes; the framework writes UTILITY_RUN with the counts `apply` puts under
  `step.result` (a dict it may fill).
- `undo(run)`: reverses a done run from `run.undo_data`, inside the undo's one transaction; raise DomainError when it
  cannot (a row it needs is gone). None: the utility cannot be undone (its description says why).

Interface additions beyond the first sketch (compatible: all have defaults):
- `Change.group`: a key grouping changes the user can untick together on the preview page (blank: not
  selectable). `Change.subject_url` may be blank.
- `Step.skip_groups` (frozenset of group keys the user unticked) and `Step.result` (a dict apply may fill with
  counts, shown on the result page and put in the UTILITY_RUN event).
- `start_utility(*, actor, run, skip_groups=())`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from django import forms

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from tabwise.cleanup.models import UtilityRun
    from tabwise.users.models import User


@dataclass(frozen=True)
class Change:
    """One line of a preview: what happens to one subject (a customer, a phone, a vehicle)."""

    subject: str  # the subject's label, as the user knows it ("Smith, Pat (1042)")
    subject_url: str  # a link to it ("" when it has no page)
    what: str  # what happens ("Delete duplicate phone", "Move 2 invoices")
    before: str = ""
    after: str = ""
    group: str = ""  # changes with the same group are ticked / unticked together; "" = not selectable

    def as_dict(self) -> dict[str, str]:
        return {key: str(value) for key, value in asdict(self).items()}


@dataclass
class Preview:
    """What a utility would do with these parameters to the business's data as it is now."""

    changes: list[Change] = field(default_factory=list)
    total: int = 0  # units of work for the progress bar (0: len(changes))
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "changes": [change.as_dict() for change in self.changes],
            "total": self.total or len(self.changes),
            "warnings": [str(warning) for warning in self.warnings],
        }


class Step:
    """What `apply` gets: who runs it, the run, the preview it was confirmed on, and the progress bar."""

    def __init__(
        self,
        *,
        actor: User,
        run: UtilityRun,
        preview: Preview,
        skip_groups: frozenset[str] = frozenset(),
        report: Callable[[int], None] | None = None,
    ) -> None:
        self.actor = actor
        self.run = run
        self.preview = preview
        self.skip_groups = skip_groups
        self.result: dict[str, Any] = {}
        self._report = report

    def progress(self, done: int) -> None:
        """`done` units of `preview.total` are written (a polling page sees it on PostgreSQL; SQLite: at the end)."""
        self.run.done = done
        if self._report is not None:
            self._report(done)

    def is_skipped(self, group: str) -> bool:
        return bool(group) and group in self.skip_groups


@dataclass(frozen=True)
class Utility:
    kind: str  # "combine_customers", "combine_vehicles", "duplicate_phones", ...
    title: StrOrPromise
    description: StrOrPromise
    function: str  # the security function required to run it (registered in cleanup/functions.py)
    form: type[forms.Form]  # its parameters; cleaned_data must be JSON-serialisable
    preview: Callable[[Mapping[str, Any]], Preview]  # runs in the business scope, read-only
    apply: Callable[[Step, Mapping[str, Any]], dict[str, Any]]  # does the work, returns the undo data
    undo: Callable[[UtilityRun], None] | None = None  # None: cannot be undone (the description says why)


_registry: dict[str, Utility] = {}


def register(utility: Utility) -> Utility:
    if utility.kind in _registry and _registry[utility.kind] != utility:
        raise ValueError(f"clean-up utility {utility.kind} registered twice")
    _registry[utility.kind] = utility
    return utility


def get(kind: str) -> Utility:
    try:
        return _registry[kind]
    except KeyError:
        raise KeyError(f"unknown clean-up utility {kind!r}") from None


def all() -> list[Utility]:  # the interface's name, though it shadows the builtin here
    return sorted(_registry.values(), key=lambda utility: str(utility.title))
