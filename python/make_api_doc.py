#!/usr/bin/env python3
"""Renders the trawl package's docstrings into docs/python.md (the API page).

  python3 python/make_api_doc.py > docs/python.md
  python3 python/make_api_doc.py --check docs/python.md   # exit 1 if the page is stale

Importing trawl loads no library, so this runs without one.
"""
import inspect
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import trawl  # noqa: E402

HEADER = """# Python API (`trawl` package)

Generated from the docstrings by `python/make_api_doc.py` (a test checks it is current).
Installing and finding the library: `docs/packaging.md`. Names follow the C calls without
their `trawl_` prefix; the module docstring below maps the C conventions.
"""


def public(module):
    for name, value in vars(module).items():
        if name.startswith("_") or inspect.ismodule(value):
            continue
        if (inspect.isclass(value) or inspect.isfunction(value)) and \
                value.__module__.startswith("trawl"):
            yield name, value


def signature(obj) -> str:
    try:
        return str(inspect.signature(obj))
    except (TypeError, ValueError):
        return "(...)"


def render() -> str:
    out = [HEADER, "## Module\n", inspect.getdoc(trawl), ""]
    items = sorted(public(trawl), key=lambda kv: (not inspect.isclass(kv[1]), kv[0].lower()))
    for name, value in items:
        kind = "class" if inspect.isclass(value) else "def"
        out += [f"## `{kind} {name}{signature(value)}`\n", inspect.getdoc(value) or "", ""]
        if inspect.isclass(value):
            for member, fn in sorted(vars(value).items()):
                if member.startswith("_") or not (inspect.isfunction(fn) or
                                                  isinstance(fn, (staticmethod, classmethod))):
                    continue
                fn = fn.__func__ if isinstance(fn, (staticmethod, classmethod)) else fn
                out += [f"### `{name}.{member}{signature(fn)}`\n", inspect.getdoc(fn) or "", ""]
    return "\n".join(out).rstrip() + "\n"


if __name__ == "__main__":
    page = render()
    if len(sys.argv) == 3 and sys.argv[1] == "--check":
        with open(sys.argv[2]) as f:
            if f.read() != page:
                sys.exit(f"{sys.argv[2]} is stale: run python3 python/make_api_doc.py > {sys.argv[2]}")
    else:
        sys.stdout.write(page)
