"""Which slice of the list a person is looking at: list, smart view, label,
filter, search and sort.

It travels in the query string (so views can be bookmarked and survive
back, forward and reload), in hidden fields of the page's forms (so a plain
form post comes back, with 303, to exactly the same view) and, for HTMX,
in ``hx-vals`` on the list section.
"""

import json
import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import cached_property
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import has_request_context, url_for
from flask_login import current_user
from markupsafe import Markup

from ..models import LABEL_NAME_MAX, Task

FILTERS = ("all", "active", "completed")
SORTS = {
    "newest": "Newest first",
    "oldest": "Oldest first",
    "due": "Due date",
    "priority": "Priority",
    "manual": "My order",
}
SEARCH_MAX = 200
# The smart views (?view=): due today or overdue; due from today to a week on.
SMART_VIEWS = {"today": "Today", "upcoming": "Upcoming"}
UPCOMING_DAYS = 7
LIST_ID = re.compile(r"[1-9][0-9]{0,9}")
LIST_ID_MAX = 2**31 - 1  # lists.id is a 32-bit integer


def person_today() -> date:
    """Today where the person looking is (their own time zone); UTC outside a request."""
    name = getattr(current_user, "timezone", None) if has_request_context() else None
    try:
        zone = ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return datetime.now(zone).date()


def _one_line(raw: str, limit: int) -> str:
    return " ".join("".join(ch for ch in raw if ch.isprintable()).split())[:limit]


def parse_list_id(raw) -> int | None:
    """A list id as the URL carries it, or None for anything that is not one."""
    text = raw if isinstance(raw, str) else ""
    if LIST_ID.fullmatch(text) and int(text) <= LIST_ID_MAX:
        return int(text)
    return None


@dataclass(frozen=True)
class ListView:
    filter: str = "all"
    sort: str = "newest"
    q: str = ""
    select: bool = False  # selection mode: a checkbox per row and the bulk actions
    list_id: int | None = None  # one of the person's lists (?list=<id>); None: every list
    smart: str = ""  # "today" or "upcoming" (?view=...)
    label: str = ""  # a label's name (?label=...)
    # The person's today, for Today and Upcoming; worked out when needed if not given.
    today: date | None = None

    @classmethod
    def from_source(cls, source) -> "ListView":
        """Read a view from query args or form fields; anything unknown falls back to the default."""
        list_filter = source.get("filter", "all")
        # "view" is also the task page's own field (view=detail): take the smart one.
        views = source.getlist("view") if hasattr(source, "getlist") else [source.get("view", "")]
        smart = next((name for name in views if name in SMART_VIEWS), "")
        sort = source.get("sort", "")
        return cls(
            filter=list_filter if list_filter in FILTERS else "all",
            sort=sort if sort in SORTS else ("due" if smart else "newest"),
            q=_one_line(source.get("q", ""), SEARCH_MAX),
            select=source.get("select") == "1",
            list_id=parse_list_id(source.get("list", "")),
            smart=smart,
            label=_one_line(source.get("label", ""), LABEL_NAME_MAX),
        )

    @property
    def default_sort(self) -> str:
        """Today and Upcoming are read by due date; everything else newest first."""
        return "due" if self.smart else "newest"

    def day(self) -> date:
        return self.today or person_today()

    @property
    def shows_subtasks(self) -> bool:
        """Whether subtasks are rows of their own here. A list shows the tasks of
        its own (a subtask is on its parent's page, its progress in the
        parent's row); Today, Upcoming, a label and a search show every task
        that matches, a subtask with its parent's title beside it."""
        return bool(self.smart or self.label or self.q)

    def due_range(self) -> tuple[date | None, date | None]:
        """The due dates the smart view shows, inclusive: (None, today) is "today or overdue"."""
        today = self.day()
        if self.smart == "today":
            return None, today
        if self.smart == "upcoming":
            try:
                return today, today + timedelta(days=UPCOMING_DAYS)
            except OverflowError:  # a clock in the year 9999
                return today, date.max
        return None, None

    def params(self, **changes) -> dict:
        """The query parameters that differ from the defaults."""
        view = replace(self, **changes) if changes else self
        params = {}
        if view.list_id is not None:
            params["list"] = view.list_id
        if view.smart:
            params["view"] = view.smart
        if view.label:
            params["label"] = view.label
        if view.filter != "all":
            params["filter"] = view.filter
        if view.sort != view.default_sort:
            params["sort"] = view.sort
        if view.q:
            params["q"] = view.q
        if view.select:
            params["select"] = "1"
        return params

    def switch(self, *, list_id: int | None = None, smart: str = "", label: str = "") -> str:
        """The URL of another list or smart view (the sidebar's links): the filter
        and a sort the person chose come along; the search and selection do not."""
        sort = self.sort if self.sort != self.default_sort else ("due" if smart else "newest")
        return replace(self, list_id=list_id, smart=smart, label=label, sort=sort, q="", select=False).url()

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

    def label_url(self, name: str) -> str:
        """This view narrowed to one label (a row's label chip): the list,
        filter, search and sort stay."""
        return url_for("tasks.index", **self.params(label=name, select=False))

    def includes(self, task: Task) -> bool:
        """Whether the task belongs in this view (after it changed)."""
        if self.filter == "active" and task.completed:
            return False
        if self.filter == "completed" and not task.completed:
            return False
        if self.list_id is not None and task.list_id != self.list_id:
            return False
        if self.smart:
            low, high = self.due_range()
            if task.due_date is None or task.due_date > high or (low is not None and task.due_date < low):
                return False
        if task.parent_id is not None and not self.shows_subtasks:
            return False
        if self.label and self.label not in {label.name for label in task.labels}:
            return False
        if self.q:
            needle = self.q.lower()
            return needle in task.title.lower() or needle in (task.description or "").lower()
        return True


DEFAULT = ListView()
