"""The probe layer: the only way checks learn network facts (DNS, IPv6, HTTPS, site search).

Probes run during the crawl stage and every probe is recorded in the store's `probes` table with its
time and body; `zwgk evaluate` answers the checks from those records (StoredProbes), and measures
anew only with --reprobe. A finding can show what was seen and when.
"""

from __future__ import annotations

from zwgk.probes.core import HttpProbe, Probes
from zwgk.probes.stored import ProbeNotRecorded, StoredProbes

__all__ = ["HttpProbe", "ProbeNotRecorded", "Probes", "StoredProbes"]
