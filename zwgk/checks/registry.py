"""The check catalogue: ids of DESIGN §6. Stable: CI pipelines and waivers depend on them."""

from __future__ import annotations

CHECK_IDS: tuple[str, ...] = (
    "site.reachable",
    "ipv6.aaaa",
    "ipv6.reachable",
    "ipv6.links",
    "https.available",
    "links.broken",
    "column.missing",
    "column.empty",
    "column.stale",
    "homepage.stale",
    "doc.metadata",
    "policy.interpretation",
    "report.annual",
    "guide.content",
    "site.identity",
    "site.search",
    "interaction.reply",
    "content.terms",
)


def known_check_ids() -> frozenset[str]:
    return frozenset(CHECK_IDS)
