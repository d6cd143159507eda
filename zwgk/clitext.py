"""Click's own texts in Chinese (clitext.yaml), without a gettext catalogue.

Click wraps its user-facing strings in gettext's `_`/`ngettext`; replacing those two names in the
click modules that use them makes usage lines, option lists and errors Chinese. Imported by the
CLI before any command is declared (some texts are taken at decoration time).
"""

from __future__ import annotations

import importlib
from functools import cache
from importlib import resources
from typing import Any

import click
import yaml

MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "types", "termui", "utils")


@cache
def table() -> dict[str, str]:
    text = (resources.files("zwgk") / "clitext.yaml").read_text(encoding="utf-8")
    return {str(k): str(v) for k, v in (yaml.safe_load(text) or {}).items()}


def gettext(message: str) -> str:
    return table().get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return gettext(singular if n == 1 else plural)


class Formatter(click.HelpFormatter):
    """Help headings with a full-width colon (选项：), as Chinese text writes them."""

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{heading}：\n")


class Command(click.Command):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[选项]")
        super().__init__(*args, **kwargs)


class Group(click.Group):
    """The CLI's group: Chinese placeholders in the usage line, for itself and its commands."""

    command_class = Command

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[选项]")
        kwargs.setdefault("subcommand_metavar", "命令 [参数]...")
        super().__init__(*args, **kwargs)


Group.group_class = Group


def install() -> None:
    click.Context.formatter_class = Formatter
    for name in MODULES:
        try:
            module = importlib.import_module(f"click.{name}")
        except ImportError:       # a click without that module: its texts stay English
            continue
        if hasattr(module, "_"):
            module._ = gettext
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext
