"""Ledgers and rules: ledger tasks, the column catalogue, the rule catalogue that maps tasks to
check ids, and the `zwgk ledger parse` renderers."""

from zwgk.rules.catalogue import Catalogue, Rule, load_catalogue
from zwgk.rules.columns import ColumnDef, load_columns, match_column, match_url
from zwgk.rules.ledger import dump_yaml, load_ledger
from zwgk.rules.mapping import apply_rules, coverage_summary, map_task, matching_rules
from zwgk.rules.models import CheckRef, Deadline, Ledger, Task
from zwgk.rules.render import render_json, render_table, render_yaml

__all__ = [
    "Catalogue",
    "CheckRef",
    "ColumnDef",
    "Deadline",
    "Ledger",
    "Rule",
    "Task",
    "apply_rules",
    "coverage_summary",
    "dump_yaml",
    "load_catalogue",
    "load_columns",
    "load_ledger",
    "map_task",
    "match_column",
    "match_url",
    "matching_rules",
    "render_json",
    "render_table",
    "render_yaml",
]
