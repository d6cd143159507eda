"""The probe layer: the only way checks learn network facts (DNS, IPv6, HTTPS, site search).

Probes are re-run by `zwgk evaluate` (pages are not re-fetched) and every probe is recorded in the
store's `probes` table with its time, so a finding can show what was seen and when.
"""

from __future__ import annotations

from zwgk.probes.core import HttpProbe, Probes

__all__ = ["HttpProbe", "Probes"]
