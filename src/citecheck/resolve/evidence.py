"""What the run itself proves about the network: evidence per endpoint, not one gate for everything.

A server that answered is evidence about that server, whatever public DNS
does: its 200, 404, 410, soft-404 or parked page stands.  Only the *absence*
of an answer needs our own network to be known good:

* a name that does not resolve (NXDOMAIN) counts as gone only when the same
  resolver resolved some name that should resolve — another cited host in
  this run, or a configured check name.  An IP-literal canary proves nothing
  about DNS and never switches this off;
* a connection that could not be made, or timed out before it was made, is
  the host's problem (unreachable) only when some other server answered in
  this run (or a canary did); otherwise nothing is known (not checked).

The collector is filled by the HTTP layer as requests go (every resolution,
every answer) and read when a run's verdicts are settled; canaries are asked
only when the run's own traffic leaves the question open.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from citecheck.resolve.net import parse_ip_literal

# Names that resolve from /etc/hosts on any machine: they say nothing about DNS.
_LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})


def is_dns_name(host: str) -> bool:
    """Whether resolving ``host`` exercises the resolver (not an IP literal, not localhost)."""
    bare = host.strip("[]").lower().rstrip(".")
    return bool(bare) and bare not in _LOCAL_NAMES and parse_ip_literal(bare) is None


@dataclass
class NetworkEvidence:
    """Filled during a run: which names resolved, which failed, which servers answered."""

    resolved: set[str] = field(default_factory=set)  # DNS names our resolver resolved
    nxdomain: set[str] = field(default_factory=set)
    dns_failures: dict[str, str] = field(default_factory=dict)  # SERVFAIL, resolver timeouts …
    answered: set[str] = field(default_factory=set)  # hosts (host:port) that sent an HTTP answer
    checked_names: dict[str, bool] = field(default_factory=dict)  # configured DNS check names asked

    def name_resolved(self, host: str) -> None:
        if is_dns_name(host):
            self.resolved.add(host.lower().rstrip("."))

    def name_failed(self, host: str, nxdomain: bool, detail: str) -> None:
        if not is_dns_name(host):
            return
        if nxdomain:
            self.nxdomain.add(host.lower().rstrip("."))
        else:
            self.dns_failures[host.lower().rstrip(".")] = detail

    def server_answered(self, authority: str) -> None:
        self.answered.add(authority)

    @property
    def dns_proven(self) -> bool:
        """Some name resolved through our resolver in this run."""
        return bool(self.resolved) or any(self.checked_names.values())

    @property
    def network_proven(self) -> bool:
        """Some server answered us in this run."""
        return bool(self.answered)

    def dns_state(self) -> str:
        """``works`` (a name resolved), ``fails`` (names were asked and none resolved), or ``unknown``."""
        if self.dns_proven:
            return "works"
        if self.nxdomain or self.dns_failures or self.checked_names:
            return "fails"
        return "unknown"

    def dns_summary(self) -> str:
        """One sentence on our DNS; the same words for the same facts (reports stay reproducible)."""
        if self.resolved:
            return "DNS works (cited names resolved in this run)"
        good = sorted(name for name, ok in self.checked_names.items() if ok)
        if good:
            return f"DNS works ({good[0]} resolves)"
        asked = sorted({*self.nxdomain, *self.dns_failures, *self.checked_names})
        if asked:
            return f"DNS resolved no name in this run (asked: {', '.join(asked[:4])})"
        return "DNS not used (every cited host is an address)"

    def merge(self, other: NetworkEvidence) -> None:
        self.resolved |= other.resolved
        self.nxdomain |= other.nxdomain
        self.dns_failures.update(other.dns_failures)
        self.answered |= other.answered
        self.checked_names.update(other.checked_names)
