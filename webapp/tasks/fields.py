"""Reading task fields from a submitted form, with a message per bad field.

Plain functions rather than a WTForms class: an update changes only the
fields that were sent, which a fixed form class expresses poorly. CSRF is
checked for every POST by ``CSRFProtect`` all the same.
"""

import unicodedata
from datetime import date

from ..models import DESCRIPTION_MAX, LIST_NAME_MAX, PRIORITIES, TITLE_MAX
from .listview import parse_list_id

TRUE_VALUES = {"1", "true", "on", "yes"}
FALSE_VALUES = {"0", "false", "off", "no", ""}


def _has_control_characters(value: str) -> bool:
    return any(ord(ch) < 32 and ch not in "\t\r\n" for ch in value)


def clean_title(raw: str | None) -> tuple[str, str | None]:
    title = " ".join((raw or "").split())  # trim, and fold runs of white space
    if not title:
        return title, "Enter a title: a task needs at least one character."
    if len(title) > TITLE_MAX:
        return title, f"A title can be at most {TITLE_MAX} characters (this one has {len(title)})."
    if _has_control_characters(raw or ""):
        return title, "The title contains characters that are not allowed."
    return title, None


def clean_description(raw: str | None) -> tuple[str | None, str | None]:
    description = (raw or "").strip().replace("\r\n", "\n")
    if len(description) > DESCRIPTION_MAX:
        return description, f"A description can be at most {DESCRIPTION_MAX} characters (this one has {len(description)})."
    if _has_control_characters(description):
        return description, "The description contains characters that are not allowed."
    return description or None, None


PRIORITY_BY_NAME = {name: value for value, name in PRIORITIES.items()}


def clean_due_date(raw: str | None) -> tuple[date | None, str | None]:
    text = (raw or "").strip()
    if not text:
        return None, None
    try:
        value = date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        value = None
    if value is None:
        return None, "Enter the due date as a real date, YYYY-MM-DD (for example 2026-12-24)."
    if value.year < 1900:
        return None, "Enter a due date after the year 1900."
    return value, None


def clean_priority(raw: str | None) -> tuple[int, str | None]:
    text = (raw or "").strip().lower()
    if text in PRIORITY_BY_NAME:
        return PRIORITY_BY_NAME[text], None
    if text in {"", "0", "1", "2", "3"}:
        return int(text or 0), None
    return 0, "Choose a priority: none, low, medium or high."


def clean_list_name(raw: str | None) -> tuple[str, str | None]:
    """A list's name: one line, trimmed, runs of spaces folded; no control characters."""
    name = (raw or "").strip()
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in name):
        return " ".join(name.split()), "A list name cannot contain line breaks, tabs or other control characters."
    name = " ".join(name.split())
    if not name:
        return name, "Enter a name for the list."
    if len(name) > LIST_NAME_MAX:
        return name, f"A list name can be at most {LIST_NAME_MAX} characters (this one has {len(name)})."
    return name, None


def clean_list_id(raw: str | None) -> tuple[int | None, str | None]:
    """A list id from a form. Whether it is one of the person's is the view's to check (a 404)."""
    value = parse_list_id((raw or "").strip())
    if value is None:
        return None, "Choose one of your lists."
    return value, None


def parse_task_form(form, *, partial: bool) -> tuple[dict, dict, dict]:
    """Return (values to save, errors by field, the raw input to show again)."""
    values, errors, entered = {}, {}, {}
    if "title" in form or not partial:
        entered["title"] = form.get("title", "")
        values["title"], error = clean_title(entered["title"])
        if error:
            errors["title"] = error
    if "description" in form:
        entered["description"] = form.get("description", "")
        values["description"], error = clean_description(entered["description"])
        if error:
            errors["description"] = error
    for name, clean in (("due_date", clean_due_date), ("priority", clean_priority)):
        if name in form:
            entered[name] = form.get(name, "")
            values[name], error = clean(entered[name])
            if error:
                errors[name] = error
    if "list_id" in form:
        entered["list_id"] = form.get("list_id", "")
        values["list_id"], error = clean_list_id(entered["list_id"])
        if error:
            errors["list_id"] = error
    if "completed" in form and partial:
        # A checkbox after its hidden "false" twin: the last value sent wins.
        word = form.getlist("completed")[-1].strip().lower()
        if word in TRUE_VALUES:
            values["completed"] = True
        elif word in FALSE_VALUES:
            values["completed"] = False
        else:
            errors["completed"] = "Completed must be yes or no."
    return values, errors, entered

