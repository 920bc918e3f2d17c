"""The registry's own URLs: the pages a request gets once fault injection let it through.

URLs relative to ``/colasonline/``:

- ``viewColaDetails.do?action=publicDisplaySearchBasic&ttbid=ID`` detail page,
  ``...&action=publicFormDisplay&ttbid=ID`` printable form (both HTTP 200 "Unable to process
  request" for unknown or non-public IDs);
- ``publicViewAttachment.do?filename=F&filetype=l`` label image, ``publicViewSignature.do?ttbid=ID``;
- ``publicSearchColasBasic.do`` (GET: search form, starts the session),
  ``publicSearchColasBasicProcess.do?action=search`` (POST), ``...?action=clear``,
  ``publicPageBasicCola.do?action=page[&pgfcn=nextset|prevset]`` and ``?action=sort&sortcol=C&order=O``,
  ``publicSaveSearchResultsToFile.do?path=/publicSearchColasBasicProcess`` (CSV).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from ttb_cola_sim import fault_pages, render
from ttb_cola_sim.accounting import RequestCounts
from ttb_cola_sim.attachments import AttachmentServlet
from ttb_cola_sim.faults import FaultInjector
from ttb_cola_sim.registry import Registry
from ttb_cola_sim.responses import PREFIX, Response
from ttb_cola_sim.search import PAGE_SIZE, Session, Sessions, run_search, sort_results

COOKIE = "JSESSIONID"
#: The COLA page each ``viewColaDetails.do`` action answers.
_PAGE_KINDS = {"publicDisplaySearchBasic": "detail", "publicFormDisplay": "form"}


class RegistryRoutes:
    """Answers registry requests from the registry, the search sessions and the image servlet.

    Args:
        registry: the synthetic registry served.
        faults: the fault injector, whose settings also fault single COLAs' pages and search listings.
        sessions: the search sessions (cookie ``JSESSIONID``).
        attachments: the image servlet, bound to the session that opened a printable form.
        requests: where each answered request is counted, by path.
        export_cap: rows the CSV export holds at most.
    """

    def __init__(self, registry: Registry, faults: FaultInjector, sessions: Sessions,
                 attachments: AttachmentServlet, requests: RequestCounts, export_cap: int) -> None:
        self.registry = registry
        self.faults = faults
        self.sessions = sessions
        self.attachments = attachments
        self.requests = requests
        self.export_cap = export_cap

    def answer(self, method: str, path: str, query: str, body: bytes, cookie_header: str | None,
               referer: str | None = None) -> Response:
        """Answer one registry request (after fault injection)."""
        params = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}
        self.requests.add(path)
        if path == "viewColaDetails.do":
            action = params.get("action")
            ttb_id = params.get("ttbid", "").strip()
            if fault_pages.server_error(self.faults.config, action, ttb_id):
                return Response(fault_pages.server_error_page(500), 500)
            kind = _PAGE_KINDS.get(action or "")
            record = self.registry.raw(ttb_id) if kind else None
            if record is None:
                if kind:
                    self.requests.page(kind, ttb_id, found=False)
                return Response(render.not_found_page())
            faulty = fault_pages.cola_page(self.faults.config, action, ttb_id, record)
            if faulty is not None:
                return Response(faulty)
            self.requests.page(str(kind), ttb_id, found=True)
            if action == "publicDisplaySearchBasic":
                return Response(render.detail_page(record))
            return self._form(record, cookie_header)
        if path == "publicViewAttachment.do":
            session = self.sessions.get(_cookie(cookie_header))
            sid = session.sid if session else None
            image, content_type = self.attachments.serve(params.get("filename", ""), sid, referer)
            return Response(image, content_type=content_type)
        if path == "publicViewSignature.do":
            return Response(render.signature_image(), content_type="image/gif")
        if path == "publicSearchColasBasic.do":
            session = self.sessions.get(_cookie(cookie_header)) or self.sessions.create()
            session.criteria = {}
            page = render.search_form_page({"searchCriteria.dateCompletedTo": render.today_us(self.registry.as_of)})
            return Response(page, headers=[("Set-Cookie", f"{COOKIE}={session.sid}; Path={PREFIX}; HttpOnly")])
        if path in ("publicSearchColasBasicProcess.do", "publicPageBasicCola.do", "publicSaveSearchResultsToFile.do"):
            session = self.sessions.get(_cookie(cookie_header))
            if session is None:
                return Response(render.session_timeout_page())
            return self._search(session, path, params, body)
        return Response(render.error_page("The requested page was not found."), 404)

    def _form(self, record: dict[str, Any], cookie_header: str | None) -> Response:
        """The printable form; the session (started here if need be) is bound to it for the image servlet."""
        session = self.sessions.get(_cookie(cookie_header))
        headers = []
        if session is None:
            session = self.sessions.create()
            headers.append(("Set-Cookie", f"{COOKIE}={session.sid}; Path={PREFIX}; HttpOnly"))
        self.attachments.bind(session.sid, record["ttb_id"])
        return Response(render.form_page(record), headers=headers)

    def _search(self, session: Session, path: str, params: dict[str, str], body: bytes) -> Response:
        if path == "publicSearchColasBasicProcess.do":
            if params.get("action") == "clear":
                session.criteria, session.results, session.page = {}, None, 0
                return Response(render.search_form_page())
            form = {k: v[-1] for k, v in parse_qs(body.decode("latin-1"), keep_blank_values=True).items()}
            error, results = run_search(self.registry, form)
            if error:
                return Response(render.search_form_page(form, error))
            results = fault_pages.listing(self.faults.config, results)
            session.criteria, session.results, session.page = form, results, 0
            return self._results(session)
        if session.results is None:
            return Response(render.search_form_page())
        if path == "publicSaveSearchResultsToFile.do":
            headers = [("Content-Disposition", "attachment; filename=\"SearchResults.csv\"")]
            return Response(render.export_csv(session.results[:self.export_cap]),
                            content_type="text/csv;charset=ISO-8859-1", headers=headers)
        action = params.get("action")
        if action == "sort":
            session.results = list(session.results)  # every record, to sort by any column
            sort_results(session.results, params.get("sortcol", "ttbId"), params.get("order", "asc"))
            session.page = 0
        elif params.get("pgfcn") == "nextset":
            session.page = min(session.page + 1, session.pages - 1)
        elif params.get("pgfcn") == "prevset":
            session.page = max(session.page - 1, 0)
        return self._results(session)

    def _results(self, session: Session) -> Response:
        rows = session.page_rows()
        total = len(session.results or [])
        return Response(render.search_results_page(
            rows, session.page * PAGE_SIZE + 1, total, session.page > 0, session.page < session.pages - 1))


def _cookie(header: str | None) -> str | None:
    """The session ID in a Cookie header, or None."""
    if not header:
        return None
    for part in header.split(";"):
        name, _, value = part.strip().partition("=")
        if name == COOKIE:
            return value
    return None
