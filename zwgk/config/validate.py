"""Everything in an inspection that can be wrong, found before a single page is fetched (exit 2).

The YAML itself (keys, types, dates) is checked by load_inspection; this adds what only the rest of
the tool knows: the scoring profile and its thresholds, the waivers file, the `checks:` options, the
per-site crawl overrides and the report template. `zwgk config check -c X.yaml` runs exactly this
(and the ledgers, pipeline.validate), and so does every run before it creates its directory.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from zwgk.config.inspection import Inspection
from zwgk.errors import ConfigError

# `checks:` options the checks read (a misspelt one would be silently ignored: it is an error)
CHECK_OPTIONS = {
    "content_terms": "content.terms 的附加词条（字符串，或含 term/correct/note 的映射）",
    "content_terms_defaults": "是否使用内置词表（true/false）",
    "annual_report_publisher": "年报公布期限按 government（3月31日）或 department（1月31日）",
    "search_query": "site.search 检索用的标题",
    "search_query_url": "该标题对应文件的网址",
    "identity_sample_pages": "site.identity 抽查页面数",
    "metadata_columns": "doc.metadata 只检查这些栏目的文件（栏目键，如 gk.policy）",
    "metadata_max_documents": "doc.metadata 最多检查的文件页面数",
}


def validate_inspection(insp: Inspection, docx_template: Path | None = None) -> None:
    """Raise one ConfigError listing every problem, each with its file, key and line."""
    problems: list[str] = []
    problems += _profile(insp)
    problems += _checks(insp)
    for i, site in enumerate(insp.sites):
        try:
            insp.site_crawl(site)
        except ConfigError as exc:
            problems.append(f"{insp.where(f'sites.{i}.crawl')}: {exc}")
    if insp.waivers:
        from zwgk.config.waivers import load_waivers

        path = insp.resolve(insp.waivers)
        if not path.is_file():
            problems.append(f"{insp.where('waivers')}: 找不到豁免清单 / waivers file not found: {path}")
        else:
            try:
                load_waivers(path)
            except ConfigError as exc:
                problems.append(str(exc))
    if docx_template is not None:
        problems += _template(docx_template)
    if problems:
        raise ConfigError("配置无效 / invalid configuration:\n" + "\n".join(problems))


def _profile(insp: Inspection) -> list[str]:
    from zwgk.config.profile import load_profile, profile_path

    name = insp.scoring.profile
    if not profile_path(name).is_file():
        return [f"{insp.where('scoring.profile')}: 找不到评分方案 / scoring profile not found: {name}"
                "（内置：national-2019，或给出 .yaml 文件路径）"]
    try:
        profile = load_profile(name)
    except ConfigError as exc:
        return [f"{insp.where('scoring.profile')}: {exc}"]
    out = []
    for key, value in insp.scoring.thresholds.items():
        if key not in profile.settings:
            out.append(f"{insp.where(f'scoring.thresholds.{key}')}: 评分方案 {profile.id} 中没有此项"
                       f" / unknown threshold（可用：{', '.join(sorted(profile.settings))}）")
        elif not isinstance(value, type(profile.setting(key))) and not (
                isinstance(value, (int, float)) and isinstance(profile.setting(key), (int, float))):
            out.append(f"{insp.where(f'scoring.thresholds.{key}')}: 类型应与方案中的 {profile.setting(key)!r} 相同"
                       f" / wrong type {value!r}")
    return out


def _checks(insp: Inspection) -> list[str]:
    from zwgk.checks.content import configured_terms
    from zwgk.rules.columns import load_columns

    out = []
    opts: dict[str, Any] = insp.checks
    for key in opts:
        if key not in CHECK_OPTIONS:
            out.append(f"{insp.where(f'checks.{key}')}: 未知检查选项 / unknown check option"
                       f"（可用：{', '.join(CHECK_OPTIONS)}）")
    try:
        configured_terms(opts)
    except ValueError as exc:
        out.append(f"{insp.where('checks.content_terms')}: {exc}")
    if opts.get("annual_report_publisher") not in (None, "government", "department"):
        out.append(f"{insp.where('checks.annual_report_publisher')}: 应为 government 或 department")
    columns = opts.get("metadata_columns")
    if columns is not None:
        known = load_columns()
        bad = [c for c in (columns if isinstance(columns, list) else [columns]) if c not in known]
        if bad or not isinstance(columns, list):
            out.append(f"{insp.where('checks.metadata_columns')}: 应为栏目键列表（如 [gk.policy, gk.normative]）"
                       f"；未知：{', '.join(map(str, bad)) or columns}")
    for key in ("identity_sample_pages", "metadata_max_documents"):
        value = opts.get(key)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
            out.append(f"{insp.where(f'checks.{key}')}: 应为正整数 / a positive integer")
    return out


def _template(path: Path) -> list[str]:
    from docx import Document

    try:
        Document(str(path))
    except Exception as exc:   # python-docx raises several kinds for a file that is not a .docx
        return [f"--docx-template {path}: 不是有效的 Word（.docx）文档 / not a .docx file（{type(exc).__name__}）"]
    return []
