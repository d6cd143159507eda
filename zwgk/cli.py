"""The `zwgk` command. Parses options, calls the pipeline stages, prints for people; no business logic.

Exit codes (DESIGN §3): 0 clean, 1 findings at/above --fail-on, 2 bad usage/config/ledger,
3 run incomplete (a site could not be assessed or a cap cut its crawl; results are still written).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from zwgk import __version__
from zwgk.errors import ZwgkError

if TYPE_CHECKING:
    from zwgk.config.inspection import Inspection
    from zwgk.rundir import RunDir

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INCOMPLETE = 0, 1, 2, 3
FAIL_ON = click.Choice(["veto", "deduct", "any", "never", "new"])
CRAWL_LABELS = {"complete": "完成", "capped": "达到上限", "unreachable": "无法访问", "interrupted": "中断"}


def _interactive() -> bool:
    return sys.stderr.isatty() and not os.environ.get("CI")


def _fail(exc: ZwgkError) -> None:
    click.echo(f"错误 / error: {exc}", err=True)
    sys.exit(exc.exit_code)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="zwgk")
def cli() -> None:
    """zwgk-audit：按政务公开工作台账检查政府网站。"""


def _print_sites(results: dict) -> None:
    for site in results["sites"]:
        crawl = site["crawl"]
        status = CRAWL_LABELS.get(crawl["status"], crawl["status"])
        extra = f"（{'、'.join(crawl['capped'])}）" if crawl["capped"] else ""
        detail = f" · {crawl['detail']}" if crawl.get("detail") else ""
        click.echo(f"  {site['name']}  {site['url']}  抓取{status}{extra} · 页面 {crawl['pages']} · "
                   f"附件 {crawl['attachments']} · 错误 {crawl['errors']}{detail}")


def run_audit(config: Path | None, outdir: Path, resume: Path | None, fail_on: str,
              baseline: Path | None = None) -> int:
    from zwgk.config.inspection import load_inspection
    from zwgk.rundir import RunDir

    if resume is not None:
        run = RunDir.open(resume)
        return audit_run(run.load_config(), run, fail_on=fail_on, baseline=baseline, resume=True)
    if config is None:
        raise click.UsageError("需要 -c INSPECTION.yaml 或 --resume RUN_DIR / need a config or --resume")
    insp = load_inspection(config)
    return audit_run(insp, None, fail_on=fail_on, baseline=baseline, outdir=outdir)


def audit_run(insp: Inspection, run: RunDir | None, *, fail_on: str, baseline: Path | None,
              outdir: Path = Path("zwgk-runs"), resume: bool = False) -> int:
    """crawl → evaluate → reports for a loaded inspection; prints the paths; returns the exit code."""
    from zwgk.pipeline import crawl_stage, evaluate, load_ledgers, write_reports
    from zwgk.rundir import RunDir

    ledgers = load_ledgers(insp)          # a bad ledger stops the run before any crawling
    if run is None:
        run = RunDir.create(outdir, insp)
    click.echo(f"运行目录 / run directory: {run.path}", err=True)
    crawl_stage(insp, run, resume=resume, progress=_interactive())
    evaluation = evaluate(run, insp, ledgers)
    report = write_reports(run, evaluation.results)
    _print_sites(evaluation.results)
    click.echo(f"结果 / results: {run.results}")
    click.echo(f"报告 / report: {report}")
    return exit_code(evaluation.results, evaluation.incomplete, fail_on, baseline)


def exit_code(results: dict, incomplete: bool, fail_on: str, baseline: Path | None) -> int:
    from zwgk.reports.gate import gate_hits
    from zwgk.reports.results import load_results

    if fail_on == "new" and baseline is None:
        raise click.UsageError("--fail-on new 需要 --baseline OLD_RUN / needs --baseline")
    hits = gate_hits(results, fail_on, load_results(baseline) if baseline else None)
    for hit in hits:
        click.echo(f"未通过 --fail-on {fail_on}：{hit}", err=True)
    if hits:
        return EXIT_FINDINGS
    if incomplete:
        click.echo("注意：有网站未能完整评估（无法访问、无法判定或达到抓取上限），结果不完整。", err=True)
        return EXIT_INCOMPLETE
    return EXIT_OK


@cli.command()
@click.option("-c", "--config", type=click.Path(path_type=Path), help="检查配置 inspection.yaml")
@click.option("-o", "--outdir", type=click.Path(path_type=Path), default=Path("zwgk-runs"), show_default=True)
@click.option("--resume", type=click.Path(path_type=Path), help="继续一次中断的运行 / resume RUN_DIR")
@click.option("--fail-on", type=FAIL_ON, default="veto", show_default=True)
@click.option("--baseline", type=click.Path(path_type=Path), help="上次运行目录，用于复查对比")
def audit(config: Path | None, outdir: Path, resume: Path | None, fail_on: str, baseline: Path | None) -> None:
    """抓取、检查、评分并生成全部报告。"""
    try:
        sys.exit(run_audit(config, outdir, resume, fail_on, baseline))
    except ZwgkError as exc:
        _fail(exc)


@cli.command()
@click.option("-c", "--config", type=click.Path(path_type=Path), help="检查配置 inspection.yaml")
@click.option("-o", "--outdir", type=click.Path(path_type=Path), default=Path("zwgk-runs"), show_default=True)
@click.option("--resume", type=click.Path(path_type=Path), help="继续一次中断的抓取 / resume RUN_DIR")
def crawl(config: Path | None, outdir: Path, resume: Path | None) -> None:
    """只抓取（写入运行目录的 crawl.sqlite），不检查。"""
    from zwgk.config.inspection import load_inspection
    from zwgk.pipeline import crawl_stage
    from zwgk.rundir import RunDir
    from zwgk.store import Store

    try:
        if resume is not None:
            run = RunDir.open(resume)
            insp = run.load_config()
        else:
            if config is None:
                raise click.UsageError("需要 -c INSPECTION.yaml 或 --resume RUN_DIR")
            insp = load_inspection(config)
            run = RunDir.create(outdir, insp)
        click.echo(f"运行目录 / run directory: {run.path}", err=True)
        crawl_stage(insp, run, resume=resume is not None, progress=_interactive())
        store = Store(run.store)
        incomplete = False
        for site in store.sites():
            stats = store.site_stats(site["key"])
            incomplete |= site["status"] != "complete"
            extra = f"（{'、'.join(site['capped'])}）" if site["capped"] else ""
            click.echo(f"  {site['name']}  {site['url']}  抓取{CRAWL_LABELS.get(site['status'], site['status'])}"
                       f"{extra} · 页面 {stats['pages']} · 附件 {stats['attachments']}")
        click.echo(str(run.path))
        sys.exit(EXIT_INCOMPLETE if incomplete else EXIT_OK)
    except ZwgkError as exc:
        _fail(exc)


@cli.command()
@click.argument("run_dir", type=click.Path(path_type=Path))
@click.option("--offline", is_flag=True, help="不运行网络探测（IPv6/HTTPS/搜索检查记为无法判定）")
@click.option("--fail-on", type=FAIL_ON, default="veto", show_default=True)
@click.option("--baseline", type=click.Path(path_type=Path), help="上次运行目录，用于复查对比")
def evaluate(run_dir: Path, offline: bool, fail_on: str, baseline: Path | None) -> None:
    """在已抓取的运行目录上重新检查和评分（不重新抓取页面）。"""
    from zwgk.pipeline import evaluate as evaluate_run
    from zwgk.pipeline import load_ledgers, write_reports
    from zwgk.rundir import RunDir

    try:
        run = RunDir.open(run_dir)
        insp = run.load_config()
        evaluation = evaluate_run(run, insp, load_ledgers(insp), network=not offline)
        report = write_reports(run, evaluation.results)
        _print_sites(evaluation.results)
        click.echo(f"结果 / results: {run.results}")
        click.echo(f"报告 / report: {report}")
        sys.exit(exit_code(evaluation.results, evaluation.incomplete, fail_on, baseline))
    except ZwgkError as exc:
        _fail(exc)


@cli.command()
@click.argument("run_dir", type=click.Path(path_type=Path))
def report(run_dir: Path) -> None:
    """由 results.json 重新生成报告（不抓取、不检查）。"""
    from zwgk.pipeline import write_reports
    from zwgk.reports.results import load_results
    from zwgk.rundir import RunDir

    try:
        run = RunDir.open(run_dir)
        click.echo(str(write_reports(run, load_results(run.results))))
    except ZwgkError as exc:
        _fail(exc)


@cli.command()
@click.option("-o", "--outdir", type=click.Path(path_type=Path), default=Path("zwgk-runs"), show_default=True)
def demo(outdir: Path) -> None:
    """在本机回环地址上启动内置演示网站，用内置台账完成一次检查并输出报告路径（无需联网）。"""
    from datetime import date

    from zwgk.demo import demo_files, demo_inspection
    from zwgk.portal_sim import RunningPortal, load_spec

    specs, ledger_path = demo_files()
    as_of = date.today()
    try:
        with RunningPortal([load_spec(p, as_of=as_of) for p in specs]) as portal, portal.dns() as dns:
            insp = demo_inspection(portal, dns.address, ledger_path, as_of)
            click.echo(f"演示网站 / demo portal: {', '.join(portal.url(k) for k in portal.sites)}", err=True)
            audit_run(insp, None, fail_on="never", baseline=None, outdir=outdir)
    except ZwgkError as exc:
        _fail(exc)
    sys.exit(EXIT_OK)


@cli.group()
def ledger() -> None:
    """工作台账：解析与核查方式。"""


@ledger.command("parse")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["table", "yaml", "json"]), default="table", show_default=True)
@click.option("--id", "ledger_id", help="台账编号（默认取文件名）")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="写入文件而非标准输出")
def ledger_parse(file: Path, fmt: str, ledger_id: str | None, output: Path | None) -> None:
    """解析台账，列出任务、对应的自动检查项和覆盖率。"""
    from zwgk.rules.ledger import load_ledger
    from zwgk.rules.mapping import apply_rules
    from zwgk.rules.render import render_json, render_table, render_yaml

    try:
        parsed = apply_rules(load_ledger(file, ledger_id))
    except ZwgkError as exc:
        _fail(exc)
        return
    text = {"table": render_table, "yaml": render_yaml, "json": render_json}[fmt](parsed)
    for warning in parsed.warnings:
        click.echo(f"警告 / warning: {warning}", err=True)
    if output:
        output.write_text(text, encoding="utf-8")
        click.echo(str(output))
    else:
        click.echo(text, nl=not text.endswith("\n"))


@cli.group("checks")
def checks_group() -> None:
    """检查项目录。"""


@checks_group.command("list")
def checks_list() -> None:
    """列出全部检查项。"""
    from zwgk.checks.base import SEVERITY_LABELS
    from zwgk.checks.registry import CHECK_IDS, all_checks

    checks = all_checks()
    for check_id in CHECK_IDS:
        chk = checks.get(check_id)
        if chk is None:
            click.echo(f"{check_id:24} （尚未实现）")
            continue
        meta = chk.meta
        click.echo(f"{check_id:24} [{SEVERITY_LABELS[meta.severity]}] {meta.title}")
        click.echo(f"{'':24} 依据：{meta.basis}")


def main() -> None:
    cli(prog_name="zwgk")
