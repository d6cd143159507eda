"""The vocabulary of fetch and render failures (store column pages.error_kind) and its labels for people.

The crawler classifies failures into these kinds (crawler/errors.py); checks and reports show the labels.
"""

from __future__ import annotations

ERROR_LABELS = {
    "dns": "域名无法解析",
    "timeout": "连接或响应超时",
    "refused": "连接被拒绝",
    "tls": "HTTPS 证书或握手失败",
    "redirect_loop": "重定向过多（循环）",
    "robots": "robots.txt 禁止抓取",
    "connection": "连接中断",
    "too_large": "响应过大",
    "parse_error": "页面无法解析",
    "other": "其他错误",
    "no_address": "无对应地址记录",          # probes: the host has no A/AAAA of the family asked for
    "disabled": "IPv6 探测已关闭",            # probes: network.ipv6 is off
    "render_unavailable": "浏览器不可用，未能渲染",
    "render_timeout": "浏览器渲染超时",
    "render_failed": "浏览器渲染失败",
}


def error_label(kind: str | None) -> str:
    """The label for an error kind; an unknown kind is shown as it is rather than hidden."""
    return ERROR_LABELS.get(kind or "", kind or "")
