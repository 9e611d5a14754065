"""Which slice of the list a person is looking at: filter, search and sort.

It travels in the query string (so views can be bookmarked and survive
back, forward and reload), in hidden fields of the page's forms (so a plain
form post comes back, with 303, to exactly the same view) and, for HTMX,
in ``hx-vals`` on the list section.
"""

import json
from dataclasses import dataclass, replace
from functools import cached_property
from urllib.parse import urlencode

from flask import url_for
from markupsafe import Markup

from ..models import Task

FILTERS = ("all", "active", "completed")
SORTS = {
    "newest": "Newest first",
    "oldest": "Oldest first",
    "due": "Due date",
    "priority": "Priority",
    "manual": "My order",
}
SEARCH_MAX = 200


@dataclass(frozen=True)
class ListView:
    filter: str = "all"
    sort: str = "newest"
    q: str = ""
    select: bool = False  # selection mode: a checkbox per row and the bulk actions

    @classmethod
    def from_source(cls, source) -> "ListView":
        """Read a view from query args or form fields; anything unknown falls back to the default."""
        list_filter = source.get("filter", "all")
        sort = source.get("sort", "newest")
        query = " ".join("".join(ch for ch in source.get("q", "") if ch.isprintable()).split())
        return cls(
            filter=list_filter if list_filter in FILTERS else "all",
            sort=sort if sort in SORTS else "newest",
            q=query[:SEARCH_MAX],
            select=source.get("select") == "1",
        )

    def params(self, **changes) -> dict:
        """The query parameters that differ from the defaults."""
        view = replace(self, **changes) if changes else self
        params = {name: getattr(view, name) for name in ("filter", "sort", "q") if getattr(view, name) != getattr(DEFAULT, name)}
        if view.select:
            params["select"] = "1"
        return params

    # Asked for many times per page, and a view never changes: worked out once.
    @cached_property
    def query(self) -> str:
        """The view as a query string to append to a URL ("" for the default view)."""
        params = self.params()
        return "?" + urlencode(params) if params else ""

    @cached_property
    def hx_vals(self) -> str:
        """The view as JSON for ``hx-vals`` ("" for the default view)."""
        return json.dumps(self.params()) if self.params() else ""

    @cached_property
    def hidden_fields(self) -> Markup:
        """The view as hidden fields, so a plain form post returns to the view it came from."""
        return Markup("").join(
            Markup('<input type="hidden" name="{}" value="{}">').format(name, value)
            for name, value in self.params().items()
        )

    def url(self, **changes) -> str:
        return url_for("tasks.index", **self.params(**changes))

    def includes(self, task: Task) -> bool:
        """Whether the task belongs in this view (after it changed)."""
        if self.filter == "active" and task.completed:
            return False
        if self.filter == "completed" and not task.completed:
            return False
        if self.q:
            needle = self.q.lower()
            return needle in task.title.lower() or needle in (task.description or "").lower()
        return True


DEFAULT = ListView()
