"""DOIs in the DOI system: does one exist, and where does it point — asked of the DOI handle API.

``GET https://doi.org/api/handles/{doi}?type=URL`` answers JSON (the DOI
Handbook's "REST API Response Format"): ``responseCode`` 1 is success (the
handle's URL value in ``values``), 100 "handle not found" (with HTTP 404),
200 "values not found" (the DOI exists but has no URL value), 2 an error.
The publisher's landing page is never fetched: bot walls block it, and what
it says is not what the DOI system says.

What a user types as a DOI (``citecheck check 10.1038/…``) is classified in
:func:`citecheck.check_input.doi_reference`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote

from citecheck.resolve.api_http import MalformedAnswer, PoliteEndpoint, TransportFailure

DEFAULT_HANDLE_API = "https://doi.org/api/handles"
# Characters a DOI keeps in a URL path (the DOI Handbook: encode %, #, ?, spaces and the like).
_DOI_PATH_SAFE = "/:;()[]<>!$&'*+,=@~-._"


def doi_path(doi: str) -> str:
    return quote(doi, safe=_DOI_PATH_SAFE)


@dataclass(frozen=True)
class HandleAnswer:
    status: Literal["registered", "not-found", "unknown"]
    url: str | None = None
    reason: str | None = None


class DoiHandleClient:
    """The DOI proxy's handle API through a polite endpoint."""

    def __init__(self, endpoint: PoliteEndpoint, base: str = DEFAULT_HANDLE_API) -> None:
        self.endpoint = endpoint
        self.base = base.rstrip("/")

    async def resolve(self, doi: str) -> HandleAnswer:
        url = f"{self.base}/{doi_path(doi)}"
        try:
            answer = await self.endpoint.get(url, params={"type": "URL"}, max_bytes=256 * 1024)
        except TransportFailure as error:
            return HandleAnswer("unknown", reason=f"the DOI handle API could not be reached ({error})")
        try:
            data = answer.json_object()
        except MalformedAnswer as error:
            if answer.status == 404:
                return HandleAnswer("not-found", reason="the DOI system has no such DOI (HTTP 404)")
            return HandleAnswer("unknown", reason=f"the DOI handle API answered garbage ({error})")
        code = data.get("responseCode")
        if code == 1:
            return HandleAnswer("registered", url=_handle_url(data))
        if code == 200:
            return HandleAnswer("registered", reason="the DOI has no URL value")
        if code == 100 or (answer.status == 404 and code is None):
            return HandleAnswer("not-found", reason="the DOI system has no such DOI (responseCode 100)")
        message = data.get("message")
        detail = f"responseCode {code}" + (f": {message}" if isinstance(message, str) else "")
        return HandleAnswer("unknown", reason=f"the DOI handle API answered HTTP {answer.status}, {detail}")


def _handle_url(data: dict[str, object]) -> str | None:
    values = data.get("values")
    if not isinstance(values, list):
        return None
    for value in values:
        if not isinstance(value, dict) or value.get("type") != "URL":
            continue
        payload = value.get("data")
        if isinstance(payload, dict) and isinstance(payload.get("value"), str):
            return str(payload["value"])
    return None
