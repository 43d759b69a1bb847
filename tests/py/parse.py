"""Parse expositions with the Python prometheus_client parsers.

Reads from stdin a sequence of documents separated by a line holding only
"\x1e" (ASCII record separator). The first argument picks the parser:
"openmetrics" (strict) or "text" (Prometheus 0.0.4, lax). For each document
prints one JSON line: {"ok": true, "samples": [...]} or {"ok": false,
"error": "..."}. Sample values are given exactly: integers as decimal
strings, floats as repr() (shortest round-trip form).
"""
import json
import sys

from prometheus_client.openmetrics.parser import text_string_to_metric_families as parse_om
from prometheus_client.parser import text_string_to_metric_families as parse_text


def exact(v):
    if isinstance(v, int):
        return str(v)
    return repr(float(v))


def main():
    parser = parse_om if sys.argv[1] == "openmetrics" else parse_text
    docs = sys.stdin.read().split("\n\x1e\n")
    for doc in docs:
        if not doc.strip():
            continue
        try:
            out = []
            for fam in parser(doc if doc.endswith("\n") else doc + "\n"):
                for s in fam.samples:
                    out.append({
                        "family": fam.name,
                        "type": fam.type,
                        "name": s.name,
                        "labels": sorted(s.labels.items()),
                        "value": exact(s.value),
                        "exemplar": None if s.exemplar is None else {
                            "labels": sorted(s.exemplar.labels.items()),
                            "value": exact(s.exemplar.value),
                        },
                    })
            print(json.dumps({"ok": True, "samples": out}))
        except Exception as e:  # report, the Rust side asserts
            print(json.dumps({"ok": False, "error": repr(e)}))


main()
