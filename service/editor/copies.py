"""The editor's copies page: what an agency's licensing desk works from.

``/copies?outlet=<name>`` (or ``?wire=<name>``) lists the articles that took
copy from the outlet or wire, by share copied, with whether each credits its
source, a link to the side-by-side comparison and the same list as CSV. The
routes join the editor's blueprint, so its read access rule holds for them.
"""

from __future__ import annotations

from typing import Any

from flask import render_template, request, url_for
from flask.typing import ResponseReturnValue

from service.api import services
from service.copies import copy_query
from service.editor.auth import PageError
from service.editor.pages import blueprint
from service.errors import ApiError
from workers.store.copies import TargetKind

PAGE_SIZE = 50


@blueprint.get("/copies")
def copies() -> ResponseReturnValue:
    """An outlet's or a wire's copies; with neither chosen, the ones to choose from."""
    store = services().store
    outlet, wire = request.args.get("outlet", ""), request.args.get("wire", "")
    if outlet and wire:
        raise PageError(400, "choose an outlet or a wire, not both")
    kind: TargetKind = "w" if wire else "o"
    name = wire or outlet
    credited = request.args.get("credited", "")
    page = request.args.get("page", "1")
    if not page.isdigit() or int(page) < 1:
        raise PageError(400, f"page must be a whole number from 1, got {page!r}")
    copier_outlet = request.args.get("by", "")
    arguments = {
        "credited": credited,
        "copier_outlet": copier_outlet,
        "since": request.args.get("from", ""),
        "until": request.args.get("to", ""),
        "offset": str((int(page) - 1) * PAGE_SIZE),
        "limit": str(PAGE_SIZE),
    }
    try:
        query = copy_query(kind, name, arguments)
    except ApiError as exc:
        raise PageError(400, exc.message.replace("since", "from").replace("until", "to")) from exc
    total, rows = store.list_copies(query) if name else (0, [])
    filters: dict[str, Any] = {
        k: v
        for k, v in {
            "outlet": outlet,
            "wire": wire,
            "credited": credited,
            "by": copier_outlet,
            "from": arguments["since"],
            "to": arguments["until"],
        }.items()
        if v
    }

    def page_url(number: int) -> str:
        return url_for("editor.copies", **filters, page=str(number))

    csv_arguments: dict[str, Any] = {
        "name": name,
        "format": "csv",
        "limit": "1000",
        **{
            k: v
            for k, v in arguments.items()
            if v and k in ("credited", "copier_outlet", "since", "until")
        },
    }
    csv_url = (
        url_for("copies.wire_copies" if wire else "copies.outlet_copies", **csv_arguments)
        if name
        else None
    )
    return render_template(
        "editor/copies.html",
        kind=kind,
        name=name,
        outlet=outlet,
        wire=wire,
        credited=credited,
        copier_outlet=copier_outlet,
        date_from=arguments["since"],
        date_to=arguments["until"],
        rows=rows,
        total=total,
        page=int(page),
        pages=max(1, -(-total // PAGE_SIZE)),
        page_url=page_url,
        csv_url=csv_url,
        outlets=store.copy_targets("o"),
        wires=store.copy_targets("w"),
    )
