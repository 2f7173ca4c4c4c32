"""The contract between pipeline stages, and the schema of the JSON report.

Data flows one way::

    documents/ (readers)   -> ParsedDocument (sections, paragraphs, markers, references)
    claims/                -> Claim
    resolve/               -> LiveCheck, ArchiveResult on each Reference
    checks/                -> Finding
    reports/               -> DocumentReport, AuditSummary (JSON), Markdown

Every model here is part of the public JSON report (``citecheck schema``
prints it), so fields are added, never silently renamed.
"""

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from citecheck.dates import IsoPartialDate
from citecheck.field_defaults import new_dict, new_list

REPORT_SCHEMA = "citecheck/report@1"
SUMMARY_SCHEMA = "citecheck/summary@1"


class DocumentFormat(StrEnum):
    """How a document is written."""

    text = "text"
    html = "html"
    markdown = "markdown"
    wikitext = "wikitext"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _LaterModel(_Model):
    """A model whose validator and serialiser are built on first use, not at import (``defer_build``).

    For what a one-citation ``citecheck check`` never validates or serialises: a document's body (sections,
    paragraphs, markers, where it was fetched from), claims, conflicts, reports, summaries and evidence.
    Building them all at import cost ``check --offline`` a tenth of its start-up (issue 17).  The reference
    and its parts, findings and the network state stay built at import: a check serialises them all, and
    the models nesting them reuse their schemas instead of making them again.
    """

    model_config = ConfigDict(extra="forbid", defer_build=True)


# --------------------------------------------------------------------------- documents


class Marker(_LaterModel):
    """An in-text citation marker (``[3]``, ``[^3]``, ``<ref name=x/>``).

    ``offset`` is the character position in the paragraph's *clean* text
    (markers removed) where the marker stood; the claims stage uses it to tie
    the marker to a sentence.
    """

    label: str
    offset: int
    ref_id: str | None = None  # None: points to no reference (dangling)


class Paragraph(_LaterModel):
    text: str
    markers: list[Marker] = Field(default_factory=new_list)
    line: int | None = None  # 1-based line in the source document, where known


class Section(_LaterModel):
    title: str | None = None
    level: int = 1
    paragraphs: list[Paragraph] = Field(default_factory=new_list)
    date: IsoPartialDate | None = None  # e.g. a repost's posting date
    # References that every sentence of the section cites without a marker
    # (a news repost's attribution line).
    implicit_refs: list[str] = Field(default_factory=new_list)


class LiveStatus(StrEnum):
    alive = "alive"
    dead = "dead"
    soft_404 = "soft-404"
    redirected = "redirected"
    parked = "parked"
    blocked = "blocked"
    unreachable = "unreachable"
    not_checked = "not-checked"


class LiveCheck(_Model):
    """What fetching the cited URL found (issue: live link checking)."""

    status: LiveStatus = LiveStatus.not_checked
    http_status: int | None = None
    final_url: str | None = None
    checked_at: datetime | None = None  # when the page was asked (a stored answer keeps its own); None: never asked
    confirmed: bool = False  # dead only after repeated failures over days
    evidence: list[str] = Field(default_factory=new_list)
    reason: str | None = None  # why not checked, or what failed


class ArchiveStatus(StrEnum):
    found = "found"
    none = "none"
    error_snapshot = "error-snapshot"
    not_checked = "not-checked"


class ArchiveRefusal(StrEnum):
    """Why an archive will not say whether it holds a URL (a refusal, not "no snapshot")."""

    excluded = "excluded"  # "This URL has been excluded from the Wayback Machine"
    blocked_site = "blocked-site"  # AdministrativeAccessControlException: Blocked Site Error
    robots = "robots"  # blocked by the site's robots.txt
    other = "other"  # 403/451 or another access-control answer


class EndpointOutage(StrEnum):
    """Why an endpoint gave no answer for the rest of a run (a state of ours, never evidence about a URL)."""

    unreachable = "unreachable"  # no connection could be made
    rate_limited = "rate-limited"  # it refused every request (429s, Retry-After or not) for a while: it refuses us
    failing = "failing"  # every answer was a server error (5xx) or a broken exchange, on several URLs


def _is_none(value: object) -> bool:
    return value is None


class ArchiveResult(_Model):
    """The capture that best matches what the citing author saw (issue: archive resolution)."""

    status: ArchiveStatus = ArchiveStatus.not_checked
    archive: str | None = None  # which archive answered
    snapshot_url: str | None = None
    snapshot_time: datetime | None = None
    snapshot_status: int | None = None
    days_from_access: int | None = None
    reason: str | None = None
    # Set (with status not-checked) when the archive refuses to show or search this URL;
    # ``reason`` then carries the archive's own words.
    refusal: ArchiveRefusal | None = None
    # Set (with status not-checked) when the archive was down for the run: unreachable, or refusing us.
    # Left out of the JSON when unset, so reports without an outage stay as they were.
    outage: EndpointOutage | None = Field(default=None, exclude_if=_is_none)


class PageDate(_Model):
    """A page's own publication date and where on the page it was found."""

    date: IsoPartialDate
    method: str  # e.g. "meta:article:published_time", "json-ld:datePublished", "url", "text"


class SourceStatus(StrEnum):
    """Whether the source text a claim check needs was read."""

    fetched = "fetched"
    unavailable = "unavailable"
    not_checked = "not-checked"


class TextOrigin(StrEnum):
    """Where a source text came from: an archived capture, or the live page."""

    capture = "capture"
    live = "live"


class SourceInfo(_Model):
    """The source text the claim checks read (issue: claim integrity).

    The text itself stays in the store; the report says what was read and from where.
    """

    status: SourceStatus = SourceStatus.not_checked
    origin: TextOrigin | None = None  # live only when no capture exists, and the report says so
    url: str | None = None  # what was read: the snapshot URL, or the live URL
    title: str | None = None
    page_date: PageDate | None = None
    extractor: str | None = None
    chars: int | None = None
    reason: str | None = None


class Candidate(_Model):
    """An archived URL discovery proposes for a reference without one: a candidate, never a fact."""

    url: str
    score: float
    matched_words: list[str] = Field(default_factory=new_list)
    snapshot_url: str | None = None
    snapshot_time: datetime | None = None
    archive: str | None = None


class AccessDateProvenance(_Model):
    """Where an access date the citation does not give came from (issue: Wikipedia inputs).

    ``history``: the time the cited URL first appeared in the article — the
    revision (and its permalink) whose wikitext first cites it, found in the
    article's revision history, as InternetArchiveBot does.
    """

    origin: Literal["history"] = "history"
    revision: int
    timestamp: datetime
    permalink: str


class RegistryStatus(StrEnum):
    registered = "registered"
    not_found = "not-found"  # the DOI system says the DOI does not exist
    not_checked = "not-checked"  # offline with nothing stored, or the registry did not answer


class UpdateNotice(_Model):
    """A notice that updates a work: a retraction, a correction … (Crossref ``updated-by``/``update-to``)."""

    type: str  # Crossref update type: retraction, withdrawal, correction, expression_of_concern …
    doi: str | None = None  # the notice's DOI
    label: str | None = None
    date: IsoPartialDate | None = None
    source: str | None = None  # publisher, retraction-watch …


DOI_OFFLINE_REASON = "offline, and the store holds no answer for this DOI"


class DoiRecord(_Model):
    """What the DOI system and Crossref say about a reference's DOI (issue: identifiers)."""

    doi: str
    status: RegistryStatus = RegistryStatus.not_checked
    url: str | None = None  # where the DOI resolves (the handle's URL value), never fetched
    agency: str | None = None  # crossref when Crossref holds metadata for it
    title: str | None = None
    year: int | None = None  # the earliest of issued / published-print / published-online
    years: list[int] = Field(default_factory=new_list)  # every year the metadata gives
    container: str | None = None
    work_type: str | None = None
    updated_by: list[UpdateNotice] = Field(default_factory=new_list)  # notices about this work
    updates: list[UpdateNotice] = Field(default_factory=new_list)  # this DOI is itself a notice about these works
    checked_at: datetime | None = None
    reason: str | None = None  # why not checked, or what is missing


class ReferenceKind(StrEnum):
    """How a reference is written in its document."""

    numbered = "numbered"  # an entry of a numbered reference list (rendered HTML, plain text)
    footnote = "footnote"  # a free-text footnote (hand-written <ref>, Markdown [^n], blog footnote)
    link = "link"  # a link cited in running text, or a Markdown link definition
    template = "template"  # a citation template ({{cite web}} …), read parameter by parameter
    attribution = "attribution"  # a repost's byline or source line
    bibliography = "bibliography"  # a full citation outside the footnotes (Bibliography, Sources, Further reading)


class SourceFlag(StrEnum):
    """What a reader noticed about a reference, as the document states it or as it had to read it."""

    dead_link = "dead-link"  # {{dead link}} / "[dead link]"
    permanent_dead_link = "permanent-dead-link"
    url_status_dead = "url-status-dead"  # url-status=dead/unfit/usurped, or a rendering whose title links the archive
    url_status_live = "url-status-live"
    empty = "empty"  # nothing but backlinks or markers
    short_citation = "short-citation"  # "Smith 2003, p. 41": points into a bibliography
    unread_template = "unread-template"  # a template we cannot expand: fields not read
    coins = "coins"  # fields filled from the rendering's COinS metadata
    template_data = "template-data"  # fields from the rendering's template parameters (Parsoid data-mw)
    text_fallback = "text-fallback"  # template data unusable (broken JSON, not a citation): read from the text
    sub_reference = "sub-reference"  # details (a page …) attached to a main reference
    list_defined = "list-defined"  # defined inside the reference list ({{reflist|refs=}})
    nested_reference = "nested-reference"  # a <ref> written inside another <ref>
    invalid_url = "invalid-url"  # a URL that cannot be parsed was left out (see data_errors)
    implausible_date = "implausible-date"  # a web date outside 1990 … next year was left out (see data_errors)
    no_target = "no-target"  # a short citation naming no bibliography entry of the document


class LinkKind(StrEnum):
    """What one link of a reference is."""

    original = "original"  # the page the citation cites
    archive = "archive"  # a web-archive copy (Wayback, archive.today, WebCite, ghostarchive …)
    identifier = "identifier"  # a resolver link for an identifier (doi.org, PubMed, WorldCat …)
    other = "other"  # any further link (a chapter URL, a lay summary, a "via" service)


class ReferenceLink(_Model):
    """One link of a reference, as written, and what it is."""

    url: str
    kind: LinkKind
    text: str | None = None  # the link text, where the format shows one
    archive: str | None = None  # which archive, for archive links


class Identifiers(_Model):
    """Bibliographic identifiers of a reference, normalised (citecheck.references.identifiers).

    ``doi`` without scheme or ``doi:`` prefix, as registered (compare case-insensitively);
    ``pmc`` as ``PMC123456``; ``isbn`` digits (and X) without hyphens; ``arxiv`` as
    ``1501.00001`` or ``hep-th/9901001``.
    """

    doi: str | None = None
    pmid: str | None = None
    pmc: str | None = None
    arxiv: str | None = None
    isbn: str | None = None
    issn: str | None = None
    eissn: str | None = None
    oclc: str | None = None
    bibcode: str | None = None
    lccn: str | None = None
    jstor: str | None = None
    s2cid: str | None = None
    hdl: str | None = None
    osti: str | None = None
    ssrn: str | None = None
    zbl: str | None = None
    mr: str | None = None
    ol: str | None = None
    citeseerx: str | None = None
    asin: str | None = None
    ismn: str | None = None
    biorxiv: str | None = None
    medrxiv: str | None = None
    rfc: str | None = None

    def present(self) -> dict[str, str]:
        """The identifiers that are set, by name."""
        return {name: value for name, value in self.__dict__.items() if value is not None}


class Reference(_Model):
    """One entry of a reference list, or an attribution, with its parsed fields."""

    id: str
    number: int | None = None
    kind: ReferenceKind = ReferenceKind.numbered
    name: str | None = None  # wikitext/Parsoid <ref name=...>, Markdown footnote label
    group: str | None = None  # the reference group (<ref group=n>, {{efn}}'s lower-alpha …); None: the default
    anchor: str | None = None  # the list item's element id in HTML (cite_note-…)
    raw: str = ""
    title: str | None = None
    authors: list[str] = Field(default_factory=new_list)
    editors: list[str] = Field(default_factory=new_list)
    work: str | None = None
    publisher: str | None = None
    date: IsoPartialDate | None = None
    access_date: IsoPartialDate | None = None
    archive_date: IsoPartialDate | None = None
    url: str | None = None
    archive_url: str | None = None
    archive_url_time: datetime | None = None  # the timestamp written inside archive_url
    format: str | None = None  # "PDF" …
    identifiers: Identifiers = Field(default_factory=Identifiers)  # never in ``url``
    links: list[ReferenceLink] = Field(default_factory=new_list)  # every link of the reference, classified
    details: str | None = None  # a sub-reference's details or a short citation's locator ("p. 41")
    full_citation_ref: str | None = None  # the reference holding the full citation (bibliography entry, main ref)
    source_flags: list[SourceFlag] = Field(default_factory=new_list)
    data_errors: list[str] = Field(default_factory=new_list)  # values left out as unusable, and why
    backlinks: int | None = None  # backlink count shown in the list (^ a b c, 3.0 3.1); None: not shown
    uses: int = 0  # in-text markers (or attributed sentences) pointing here
    line: int | None = None
    live: LiveCheck = Field(default_factory=LiveCheck)
    archive: ArchiveResult = Field(default_factory=ArchiveResult)
    source: SourceInfo = Field(default_factory=SourceInfo)
    candidates: list[Candidate] = Field(default_factory=new_list)
    access_date_provenance: AccessDateProvenance | None = None  # None: as the document gives it
    doi_record: DoiRecord | None = None  # None: no DOI, or not looked up

    @property
    def is_empty(self) -> bool:
        # The plain fields first: most references have one, and then the identifiers need no look.
        return (
            not any([self.title, self.url, self.work, self.publisher, self.authors, self.date, self.archive_url])
            and not self.identifiers.present()
        )


class WikiRevision(_LaterModel):
    """The revision of a wiki article that was audited (pinned: a re-run audits the same text)."""

    wiki: str  # the wiki's script path, e.g. https://en.wikipedia.org/w/
    title: str
    revision: int
    timestamp: datetime
    permalink: str


class FetchedFrom(_LaterModel):
    """Where a document given as a URL or a wiki article came from, and when it was fetched."""

    url: str  # what was asked for
    fetched_url: str  # what answered: the page's final URL, the REST endpoint, or the snapshot
    fetched_at: datetime
    origin: TextOrigin = TextOrigin.live  # capture: the live page could not be had
    snapshot_time: datetime | None = None
    archive: str | None = None
    reason: str | None = None  # why the capture was audited instead of the live page
    revision: WikiRevision | None = None


class Renderer(StrEnum):
    """The software that rendered an HTML document, which decides how the reader reads it."""

    parsoid = "parsoid"  # MediaWiki's Parsoid (REST API, VisualEditor, mobile apps): data-mw on every template
    mediawiki = "mediawiki"  # MediaWiki's legacy parser output (mw-parser-output), desktop or mobile skin
    generic = "generic"  # any other page: blog and CMS footnotes, or cited links


class ParsedDocument(_LaterModel):
    """What a reader makes of one document: the body and the reference list."""

    path: str
    format: DocumentFormat
    title: str | None = None
    date: IsoPartialDate | None = None  # the document's own date, where it states one
    layout: str = "article"  # article | repost | wiki-mirror …
    renderer: Renderer | None = None  # for HTML: which software rendered it
    sections: list[Section] = Field(default_factory=new_list)
    references: list[Reference] = Field(default_factory=new_list)
    notices: list[str] = Field(default_factory=new_list)  # what the reader skipped or could not parse
    fetched: FetchedFrom | None = None  # a document audited from the web (a URL, a wiki article)


# --------------------------------------------------------------------------- claims and findings


class Severity(StrEnum):
    error = "error"
    warning = "warning"
    info = "info"

    @property
    def rank(self) -> int:
        return {"error": 3, "warning": 2, "info": 1}[self.value]


class ClaimVerdict(StrEnum):
    """One word for a claim (README, "Claim verdicts"); the first matching row of the table wins."""

    uncited = "uncited"
    verified = "verified"
    partially_verified = "partially-verified"
    unsupported = "unsupported"
    sourced = "sourced"
    source_lost = "source-lost"
    unresolvable = "unresolvable"
    not_checked = "not-checked"


class EvidenceKind(StrEnum):
    """What one piece of a claim's evidence is about."""

    marker = "marker"  # the in-text marker that ties the claim to a reference
    attribution = "attribution"  # a post's attribution line cites it
    inferred = "inferred"  # covered by the citation closing the passage
    full_citation = "full-citation"  # a short citation's claim also cites its full citation (bibliography entry)
    snapshot = "snapshot"  # the capture a reader can open
    source = "source"  # what a cited source allowed (reachable, lost, not read …)
    passage = "passage"  # a passage of the source text that best matches the claim
    quote = "quote"  # a quoted passage looked up in the source
    figure = "figure"  # a number, date, amount or measure looked up in the source
    name = "name"  # a named entity of the claim that no source read contains
    drift = "drift"  # what the claim cites, in the capture vs. on the live page today


class EvidenceStatus(StrEnum):
    """The outcome an evidence item records."""

    found = "found"  # verbatim (quotes), the same figure or a date inside the claim's date (figures)
    near = "near"  # small differences (quotes); another unit, form or hedge (figures)
    compatible = "compatible"  # the source is coarser or looser (a year for the claim's day): no miss, no proof
    not_found = "not-found"
    differs = "differs"  # the claim's best passage gives another figure of the same kind for the same thing
    changed = "changed"  # the live page no longer says what the capture near the access date said
    closest = "closest"  # a passage ranked by shared content words (never a verdict of support)
    read = "read"
    reachable = "reachable"
    lost = "lost"
    unresolvable = "unresolvable"
    unknown = "unknown"
    not_read = "not-read"


class Passage(_LaterModel):
    """Where in a source text the evidence sits, and how it was chosen.

    Offsets are character positions in the source text read (``SourceInfo``);
    ``sentence`` is 1-based among the ``sentences`` the text was split into.
    ``shared_words`` of the claim's ``claim_words`` content words occur in the
    passage; ``score`` is BM25, the tie-breaker; ``method`` names the ranking.
    """

    start: int
    end: int
    sentence: int
    sentences: int
    span: int = 1  # sentences the passage covers (1, or 2 for a two-sentence window)
    rank: int = 1
    shared_words: int = 0
    claim_words: int = 0
    score: float = 0.0
    method: str = "coverage+bm25"
    text_fragment: str | None = None  # a #:~:text= directive that highlights the passage in a browser


class Evidence(_LaterModel):
    kind: EvidenceKind
    detail: str
    ref: str | None = None
    status: EvidenceStatus | None = None  # for quote/figure checks: found | near | compatible | not-found | differs
    excerpt: str | None = None  # the source's own wording around the match
    url: str | None = None  # where the excerpt was read (snapshot or live URL)
    passage: Passage | None = None  # where the excerpt sits in the source text, and how it was chosen
    claimed: str | None = None  # the claim's own figure, quote or name, as written
    source_says: str | None = None  # the source's figure as written where it was found, or what it gives instead


class Claim(_LaterModel):
    id: str
    text: str
    section: str | None = None
    refs: list[str] = Field(default_factory=new_list)
    markers: list[str] = Field(default_factory=new_list)  # labels as written, dangling ones included
    line: int | None = None
    verdict: ClaimVerdict = ClaimVerdict.not_checked
    evidence: list[Evidence] = Field(default_factory=new_list)


class Finding(_Model):
    code: str
    name: str
    severity: Severity
    ref: str | None = None
    claim: str | None = None
    message: str
    line: int | None = None
    fingerprint: str | None = None  # stable across reordering and small edits; baselines match on it
    new: bool | None = None  # with --baseline: not in the baseline (None: no baseline given)


class ConflictStatement(_LaterModel):
    """One claim's figure in a conflict: who says what, on which sources."""

    document: str
    claim: str
    text: str
    figure: str  # as written, e.g. "40 miles"
    value: float  # normalized to the quantity's base unit
    unit: str | None = None
    refs: list[str] = Field(default_factory=new_list)
    sources: list[str] = Field(default_factory=new_list)  # the cited references' titles/outlets/URLs
    post: str | None = None  # the post (section) that says it, on a repost page
    line: int | None = None


class Conflict(_LaterModel):
    """Documents (or posts) in one audit giving different figures for the same thing (CC503)."""

    subject: str  # the event or entity, e.g. "Camp Ashraf distance north of Baghdad"
    quantity: str  # kind of quantity: distance, deaths, people, money, percent …
    statements: list[ConflictStatement]


# --------------------------------------------------------------------------- reports


class DocumentInfo(_LaterModel):
    path: str
    format: DocumentFormat
    title: str | None = None
    date: IsoPartialDate | None = None
    layout: str = "article"
    fetched: FetchedFrom | None = None  # a URL or wiki article: what answered, when, which revision


OFFLINE_MESSAGE = "Offline audit: live and archive checks were not run; they are reported as not-checked."


class EndpointKind(StrEnum):
    archive = "archive"
    live_web = "live-web"
    dns = "dns"


class NetworkMode(StrEnum):
    offline = "offline"  # network stages not run (--offline)
    online = "online"
    unreachable = "unreachable"  # they ran, and nothing answered: every network result is not-checked


class EndpointState(_Model):
    """What one endpoint of the run (an archive, the live web, our DNS) did: reachable or not, and why."""

    name: str  # e.g. "web.archive.org", "live web", "DNS"
    kind: EndpointKind
    reachable: bool | None = None  # None: not needed in this run (everything came from the store)
    dialect: str | None = None  # archives: internet-archive, pywb, openwayback, memento, warc
    detail: str | None = None
    outage: EndpointOutage | None = Field(default=None, exclude_if=_is_none)  # why it answered nothing usable


class NetworkState(_Model):
    """Whether network stages ran, so a reader never mistakes 'not checked' for 'dead'."""

    mode: NetworkMode = NetworkMode.offline
    message: str = "Network checks were not run (--offline)."
    endpoints: list[EndpointState] = Field(default_factory=new_list)  # per endpoint: what answered


class DocumentReport(_LaterModel):
    schema_: str = Field(default=REPORT_SCHEMA, alias="schema")
    document: DocumentInfo
    references: list[Reference] = Field(default_factory=new_list)
    claims: list[Claim] = Field(default_factory=new_list)
    findings: list[Finding] = Field(default_factory=new_list)
    notices: list[str] = Field(default_factory=new_list)
    network: NetworkState = Field(default_factory=NetworkState)
    generated_at: datetime | None = None
    # A wiki article with repairs: the file holding them as a unified diff of its wikitext (never an edit).
    wikitext_diff: str | None = None

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class DocumentErrorKind(StrEnum):
    """Why a document has no report: exit code 2 for the first two, 4 (a bug) for the last."""

    unreadable = "unreadable"  # the file could not be read or parsed (too large, binary, no permission)
    not_audited = "not-audited"  # a folder entry that is not a regular file (broken symbolic link, FIFO, socket)
    internal_error = "internal-error"  # citecheck failed on it: a bug to report, the other documents still audited


class DocumentError(_LaterModel):
    """A document that could not be audited, and why (one clear line)."""

    path: str
    error: str
    kind: DocumentErrorKind = DocumentErrorKind.unreadable


class DocumentSummary(_LaterModel):
    path: str
    title: str | None = None
    format: DocumentFormat
    report_md: str
    report_json: str
    references: int
    claims: int
    cited_claims: int
    findings: dict[str, int]  # severity -> count
    codes: dict[str, int]  # code -> count


class AuditSummary(_LaterModel):
    schema_: str = Field(default=SUMMARY_SCHEMA, alias="schema")
    generated_at: datetime
    network: NetworkState
    documents: list[DocumentSummary] = Field(default_factory=new_list)
    errors: list[DocumentError] = Field(default_factory=new_list)
    findings: dict[str, int] = Field(default_factory=new_dict)
    conflicts: list[Conflict] = Field(default_factory=new_list)
    new_findings: int | None = None  # with --baseline: findings not in the baseline
    # Failures of citecheck itself outside any one document (a stage that raised): exit code 4.
    internal_errors: list[str] = Field(default_factory=new_list)
    fingerprints: list[str] = Field(default_factory=new_list)  # every finding's, sorted: a summary is a baseline too
    exit_code: int = 0

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


# --------------------------------------------------------------------------- citecheck evidence

EVIDENCE_SCHEMA = "citecheck/evidence@1"
NOT_SUPPORT = (
    "Passages are ranked by shared words: they show where to read, not whether the source supports the claim "
    "(similarity cannot tell a claim from its negation)."
)


class EvidenceSource(_LaterModel):
    """What was read as the source."""

    input: str  # the path or URL as given
    url: str | None = None  # what was read: the snapshot URL, the live URL, or None for a file
    origin: str  # file | capture | live
    title: str | None = None
    extractor: str | None = None
    chars: int = 0
    reason: str | None = None  # a note on how it was read (live page read because no capture …)


class EvidenceReport(_LaterModel):
    """One claim against one source (``citecheck evidence``): the audit's evidence, grouped for a reader."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    schema_: str = Field(default=EVIDENCE_SCHEMA, alias="schema")
    claim: str
    source: EvidenceSource
    verdict: ClaimVerdict  # of the claim's quotes and figures only; never a judgement of support
    passages: list[Evidence] = Field(default_factory=new_list)
    quotes: list[Evidence] = Field(default_factory=new_list)
    figures: list[Evidence] = Field(default_factory=new_list)
    names: list[Evidence] = Field(default_factory=new_list)
    drift: list[Evidence] = Field(default_factory=new_list)
    other: list[Evidence] = Field(default_factory=new_list)
    findings: list[Finding] = Field(default_factory=new_list)
    network: NetworkState | None = None  # for a URL: whether the network stage ran
    note: str = NOT_SUPPORT
