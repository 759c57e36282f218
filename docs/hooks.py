"""MkDocs hook: the parts of the docs that are read off the code, at build time.

A page asks for a generated part with a marker on a line of its own:

``<!-- generated: settings -->``
    every setting of ``workers.settings.Settings`` (environment variable, type,
    default, allowed range, meaning), in the groups ``workers.settings.GROUPS``
    declares, so the tables cannot drift from the code;
``<!-- generated: openapi -->``
    the API reference, from the OpenAPI document ``service.openapi`` builds
    (the same one the service serves at ``/api/openapi.json``); the document
    itself is also written into the site as ``openapi.json``;
``<!-- generated: redis-keys -->``
    the Redis key layout, from the docstring of ``workers/store/keys.py``.

A marker that cannot be filled stops the build (``mkdocs build --strict`` in
CI), and so does a page that names a marker this hook does not know.
"""

from __future__ import annotations

import importlib
import inspect
import json
import re
from typing import Any

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

MARKER = re.compile(r"^<!-- generated: ([a-z-]+) -->$", re.MULTILINE)


# --- shared helpers -----------------------------------------------------------


def _rst_to_md(text: str) -> str:
    """The reStructuredText a docstring uses, as Markdown: ``x`` and :role:`x`."""
    text = re.sub(r":[a-z]+:`~?([^`]+)`", r"`\1`", text)
    return re.sub(r"``(.+?)``", r"`\1`", text)


def _cell(text: str) -> str:
    """Text fit for one cell of a Markdown table: one line, pipes outside code
    spans escaped (the tables extension leaves pipes inside code spans alone)."""
    parts = _rst_to_md(" ".join(str(text).split())).split("`")
    return "`".join(part if i % 2 else part.replace("|", "\\|") for i, part in enumerate(parts))


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


# --- settings -------------------------------------------------------------------

MIB = 1024 * 1024
HEADING_MAX = 40


def _groups(module: Any) -> list[tuple[str, str, list[str]]]:
    """The settings in their groups: (heading, what the group is, field names).

    The groups are ``GROUPS`` of the settings module (one class per subsystem,
    which ``Settings`` inherits), else the classes ``Settings`` inherits fields
    from. A group's docstring names it: the words before a colon, or its first
    line when short, or the class name less "Settings"/"Params".
    """
    model = module.Settings
    fields = model.model_fields
    groups = list(getattr(module, "GROUPS", ())) or [
        klass
        for klass in reversed(model.__mro__)
        if set(vars(klass).get("__annotations__", {})) & set(fields)
    ]
    found: list[tuple[str, str, list[str]]] = []
    placed: set[str] = set()
    for group in groups:
        names = [n for n in group.model_fields if n in fields and n not in placed]
        placed.update(names)
        doc = (inspect.getdoc(group) or "").split("\n\n")[0]
        doc = " ".join(doc.split())
        first, colon, rest = doc.partition(":")
        if colon and len(first) <= HEADING_MAX:
            heading, about = first, rest.strip()
        elif doc and len(doc.rstrip(".")) <= HEADING_MAX:
            heading, about = doc.rstrip("."), ""
        else:
            heading = group.__name__.removesuffix("Settings").removesuffix("Params")
            about = doc
        found.append((heading, about[:1].upper() + about[1:], names))
    rest_names = [name for name in fields if name not in placed]
    if rest_names:
        found.append(("Other", "", rest_names))
    return found


def _env_names(model: type, name: str, field: Any) -> list[str]:
    alias = field.validation_alias or field.alias
    if alias is None:
        prefix = model.model_config.get("env_prefix", "")  # type: ignore[attr-defined]
        return [f"{prefix}{name}".upper()]
    if isinstance(alias, str):
        return [alias]
    return [str(choice) for choice in getattr(alias, "choices", [alias])]


def _type_name(annotation: Any) -> str:
    """A setting's type in words: the environment holds strings, so what matters
    is how one is read."""
    text = annotation.__name__ if isinstance(annotation, type) else str(annotation)
    text = re.sub(r"\b(?:[a-z_][\w]*\.)+([A-Za-z_]\w*)", r"\1", text)  # typing.X, pathlib.Path
    text = re.sub(r"\s*\|\s*(None|NoneType)$", "", text)  # "unset" in the default says so
    words = {
        "str": "text",
        "Path": "path",
        "float": "number",
        "int": "integer",
        "bool": "true/false",
        "SecretStr": "secret",
    }
    if text.startswith("list["):
        return "comma-separated list"
    if text.startswith("dict["):
        return "JSON object"
    return words.get(text, text)


def _default(name: str, field: Any) -> str:
    value = field.get_default(call_default_factory=True)
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, (list, dict)) and not value:
        return "empty" if isinstance(value, list) else "`{}`"
    if isinstance(value, float):
        return f"`{value:g}`"
    if isinstance(value, int) and name.endswith("_bytes") and value >= MIB and value % MIB == 0:
        return f"`{value}` ({value // MIB} MiB)"
    return f"`{value}`"


def _bounds(field: Any) -> str:
    """The range a setting's value must lie in, from its ``Field`` constraints."""
    found: dict[str, Any] = {}
    for item in field.metadata:
        for attr in ("ge", "gt", "le", "lt", "min_length"):
            if getattr(item, attr, None) is not None:
                found[attr] = getattr(item, attr)

    def show(value: Any) -> str:
        return f"{value:g}" if isinstance(value, float) else str(value)

    if "ge" in found and "le" in found:
        return f"{show(found['ge'])} to {show(found['le'])}"
    signs = {"ge": "≥", "gt": ">", "le": "≤", "lt": "<", "min_length": "at least {} characters"}
    parts = []
    for attr, value in found.items():
        sign = signs[attr]
        parts.append(sign.format(value) if "{}" in sign else f"{sign} {show(value)}")
    return ", ".join(parts)


def _index_fields(model: type) -> set[str]:
    """The settings the LSH index records (``workers.store.index.index_fingerprint``):
    a worker refuses to run against an index built under other values."""
    from workers.store.index import index_fingerprint

    return set(index_fingerprint(model.model_construct())) & set(model.model_fields)  # type: ignore[attr-defined]


def settings_markdown(module_name: str = "workers.settings") -> str:
    module = importlib.import_module(module_name)
    model = module.Settings
    groups = _groups(module)
    index_fields = _index_fields(model)
    total = sum(len(names) for _, _, names in groups)
    lines = [
        f"{total} settings in {len(groups)} groups, read from `{module_name}.Settings` "
        "when this page was built.",
        "",
    ]
    for heading, about, names in groups:
        lines += [f"## {heading}", ""]
        if about:
            lines += [_rst_to_md(about), ""]
        rows = []
        for name in names:
            field = model.model_fields[name]
            env = "<br>or ".join(f"`{env}`" for env in _env_names(model, name, field))
            kind = ", ".join(filter(None, [_type_name(field.annotation), _bounds(field)]))
            meaning = f"*{_cell(kind)}.* {_cell(field.description or '')}"
            if name in index_fields:
                meaning += " **Recorded with the index**: change it with `wiretrace reindex`."
            rows.append([env, _default(name, field), meaning])
        lines += _table(["variable", "default", "meaning"], rows)
        lines.append("")
    return "\n".join(lines)


# --- the OpenAPI document -----------------------------------------------------


def openapi_document() -> dict[str, Any]:
    """The document the service serves, for a server with the default settings."""
    from service.openapi import build_document
    from workers.settings import Settings

    return build_document(Settings.model_construct())


def _schema_anchor(name: str) -> str:
    return f"schema-{name.lower()}"


def _schema_type(schema: dict[str, Any]) -> str:
    """A short description of a JSON Schema, with links to named schemas."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        return f"[{name}](#{_schema_anchor(name)})"
    if "anyOf" in schema:
        options = [s for s in schema["anyOf"] if s.get("type") != "null"]
        text = " or ".join(_schema_type(s) for s in options)
        return text + " or null" if len(options) < len(schema["anyOf"]) else text
    if "const" in schema:
        return f"`{json.dumps(schema['const'])}`"
    if "enum" in schema:
        return " \\| ".join(f"`{json.dumps(value)}`" for value in schema["enum"])
    kind = schema.get("type", "any")
    if kind == "array":
        return f"array of {_schema_type(schema.get('items', {}))}"
    if kind == "object" and isinstance(schema.get("additionalProperties"), dict):
        return f"object of {_schema_type(schema['additionalProperties'])}"
    notes = []
    if "format" in schema:
        notes.append(schema["format"])
    for key, word in (("maxLength", "≤ {} chars"), ("minimum", "≥ {}"), ("maximum", "≤ {}")):
        if key in schema:
            notes.append(word.format(schema[key]))
    if "pattern" in schema:
        notes.append(f"pattern `{schema['pattern']}`")
    return f"{kind} ({', '.join(notes)})" if notes else kind


def _schema_of_content(response: dict[str, Any]) -> str:
    parts = []
    for media, body in response.get("content", {}).items():
        parts.append(f"{_schema_type(body.get('schema', {}))} (`{media}`)")
    return "; ".join(parts) or "-"


def openapi_markdown(document: dict[str, Any]) -> str:
    methods = ("get", "post", "put", "patch", "delete")
    lines = [
        f"Generated from the OpenAPI {document['openapi']} document that `service.openapi` builds "
        "(for a server with the default settings) when this page was built. The document itself: "
        "[openapi.json](openapi.json), or `GET /api/openapi.json` on a running service.",
        "",
        "## Endpoints",
        "",
    ]
    overview = []
    for path, item in document["paths"].items():
        for method in methods:
            if method in item:
                operation = item[method]
                anchor = f"{method}-{re.sub(r'[^a-z0-9]+', '-', path.lower()).strip('-')}"
                key = "yes" if operation.get("security") else "no"
                overview.append(
                    [
                        f"[`{method.upper()} {path}`](#{anchor})",
                        _cell(operation.get("summary", "")),
                        key,
                    ]
                )
    lines += _table(["endpoint", "what it does", "API key"], overview)
    lines.append("")
    for path, item in document["paths"].items():
        shared_parameters = item.get("parameters", [])
        for method in methods:
            if method not in item:
                continue
            operation = item[method]
            anchor = f"{method}-{re.sub(r'[^a-z0-9]+', '-', path.lower()).strip('-')}"
            lines += [f"### `{method.upper()} {path}` {{ #{anchor} }}", ""]
            lines += [f"**{_cell(operation.get('summary', ''))}**", ""]
            if operation.get("description"):
                lines += [_rst_to_md(operation["description"]), ""]
            needs_key = bool(operation.get("security"))
            lines += [
                "Needs an API key (`Authorization: Bearer <key>`)."
                if needs_key
                else "Open: no key needed.",
                "",
            ]
            parameters = shared_parameters + operation.get("parameters", [])
            if parameters:
                rows = [
                    [
                        f"`{p['name']}`",
                        p["in"],
                        "yes" if p.get("required") else "no",
                        _schema_type(p.get("schema", {})),
                        _cell(p.get("description", "")),
                    ]
                    for p in parameters
                ]
                lines += _table(["parameter", "in", "required", "type", "meaning"], rows)
                lines.append("")
            body = operation.get("requestBody")
            if body:
                lines += [f"Request body: {_schema_of_content(body)}.", ""]
            rows = []
            for status, response in operation.get("responses", {}).items():
                headers = ", ".join(f"`{h}`" for h in response.get("headers", {}))
                rows.append(
                    [
                        f"`{status}`",
                        _cell(response.get("description", "")),
                        _schema_of_content(response),
                        headers or "-",
                    ]
                )
            lines += _table(["status", "meaning", "body", "headers"], rows)
            lines.append("")
    lines += ["## Schemas", ""]
    for name, schema in document["components"]["schemas"].items():
        lines += [f"### {name} {{ #{_schema_anchor(name)} }}", ""]
        if schema.get("description"):
            lines += [_cell(schema["description"]), ""]
        required = set(schema.get("required", []))
        rows = [
            [
                f"`{field}`",
                _schema_type(prop),
                "yes" if field in required else "no",
                _cell(prop.get("description", "")),
            ]
            for field, prop in schema.get("properties", {}).items()
        ]
        if rows:
            lines += _table(["field", "type", "required", "meaning"], rows)
            lines.append("")
    return "\n".join(lines)


# --- the Redis key layout -----------------------------------------------------


def redis_keys_markdown(module_name: str = "workers.store.keys") -> str:
    """The key table and the notes after it, from the module's docstring.

    The table is a reStructuredText simple table: a row starts on a line whose
    first column has text; a line with the first column blank continues it.
    """
    module = importlib.import_module(module_name)
    doc = inspect.getdoc(module) or ""
    lines = doc.splitlines()
    borders = [i for i, line in enumerate(lines) if re.fullmatch(r"=+\s+=+", line.strip())]
    if len(borders) < 3:
        raise PluginError(f"{module_name}: no key table (three '=== ===' border lines) found")
    first, header_end, last = borders[0], borders[1], borders[2]
    split = lines[first].index(" ", lines[first].index("="))
    split = len(lines[first]) - len(lines[first][split:].lstrip())  # where column two starts
    rows: list[list[str]] = []
    for line in lines[header_end + 1 : last]:
        key, meaning = line[:split].strip(), line[split:].strip()
        if key or not rows:
            rows.append([key, meaning])
        else:
            rows[-1][1] += " " + meaning
    out = [
        f"Read from the docstring of `{module_name}` (`KeyLayout`) when this page was built. "
        "`wt` is the key prefix (`WIRETRACE_KEY_PREFIX`), `2` the layout version.",
        "",
    ]
    out += _table(["key", "what it holds"], [[_cell(k), _cell(m)] for k, m in rows])
    out.append("")
    notes = "\n".join(lines[last + 1 :]).strip()
    if notes:
        out += [_rst_to_md(notes), ""]
    return "\n".join(out)


# --- MkDocs events ------------------------------------------------------------

GENERATORS = {
    "settings": lambda: settings_markdown(),
    "openapi": lambda: openapi_markdown(openapi_document()),
    "redis-keys": lambda: redis_keys_markdown(),
}


def on_files(files: Files, config: Any) -> Files:
    """Put the OpenAPI document into the site beside the API page."""
    content = json.dumps(openapi_document(), indent=2) + "\n"
    files.append(File.generated(config, "openapi.json", content=content))
    return files


def on_page_markdown(markdown: str, page: Any, config: Any, files: Files) -> str:
    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in GENERATORS:
            raise PluginError(f"{page.file.src_uri}: unknown generated part {name!r}")
        try:
            return GENERATORS[name]()
        except PluginError:
            raise
        except Exception as error:  # a failed generator fails the build, saying where
            raise PluginError(
                f"{page.file.src_uri}: generating {name!r} failed: {error!r}"
            ) from error

    return MARKER.sub(fill, markdown)
