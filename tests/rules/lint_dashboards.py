#!/usr/bin/env python3
"""Lints the generated Grafana dashboards.

Checks that they provision as they are (no __inputs, pinned uid, schemaVersion >= 39), that every
panel and query uses the `datasource` variable, that every panel has a unit, that the expected
template variables exist, that range selectors use $__rate_interval / $__range (or a literal 1d
only on daily bars), and that every query parses: each expression, with the variables replaced by
concrete values, becomes a recording rule of a generated file checked by `promtool check rules`.

Usage: lint_dashboards.py DASHBOARD_DIR PROMTOOL
"""

import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dashboard_queries as dq  # noqa: E402

DS = {"type": "prometheus", "uid": "${datasource}"}
# Variables each dashboard must offer, beyond `datasource`.
REQUIRED_VARS = {
    "akash-provider-revenue.json": {"job", "instance", "provider"},
    "akash-billing-usage.json": {"job", "instance", "account"},
    "akash-exporter-health.json": {"job", "instance"},
}
EXAMPLE_VALUES = {
    "datasource": "prometheus",
    "job": "akash-exporter",
    "instance": "127.0.0.1:9733",
    "provider": "akash1provider",
    "account": "akash1account",
}


def lint(name, d, errors):
    def err(msg):
        errors.append("%s: %s" % (name, msg))

    if "__inputs" in d:
        err("has __inputs (cannot be provisioned from a file as it is)")
    if not isinstance(d.get("uid"), str) or not re.fullmatch(r"[A-Za-z0-9_-]{1,40}", d["uid"]):
        err("uid not pinned: %r" % d.get("uid"))
    if not isinstance(d.get("schemaVersion"), int) or d["schemaVersion"] < 39:
        err("schemaVersion %r < 39" % d.get("schemaVersion"))
    if not d.get("title"):
        err("no title")

    variables = {v.get("name"): v for v in d.get("templating", {}).get("list", [])}
    ds = variables.get("datasource")
    if not ds or ds.get("type") != "datasource" or ds.get("query") != "prometheus":
        err("no `datasource` variable of type datasource/prometheus")
    for v in sorted(REQUIRED_VARS.get(name, {"job", "instance"})):
        if v not in variables:
            err("missing variable `%s`" % v)
    for vname, v in variables.items():
        if v.get("type") == "query" and v.get("datasource") != DS:
            err("variable %s: datasource %r is not ${datasource}" % (vname, v.get("datasource")))

    ids = set()
    for p in dq.panels(d):
        title = p.get("title", "?")
        if p.get("id") in ids:
            err("panel %r: duplicate id %r" % (title, p.get("id")))
        ids.add(p.get("id"))
        if p.get("datasource") != DS:
            err("panel %r: datasource %r is not ${datasource}" % (title, p.get("datasource")))
        unit = p.get("fieldConfig", {}).get("defaults", {}).get("unit")
        if not unit:
            err("panel %r: no unit" % title)
        gp = p.get("gridPos", {})
        if not all(isinstance(gp.get(k), int) for k in ("x", "y", "w", "h")):
            err("panel %r: incomplete gridPos %r" % (title, gp))
        if not p.get("targets"):
            err("panel %r: no query" % title)
        for t in p.get("targets", []):
            expr = t.get("expr", "")
            if t.get("datasource") != DS:
                err("panel %r %s: target datasource is not ${datasource}" % (title, t.get("refId")))
            if not expr.strip():
                err("panel %r %s: empty expr" % (title, t.get("refId")))
            for fn, rng in re.findall(r"\b(rate|irate|increase|delta|idelta|\w+_over_time)\s*\([^\[]*\[([^\]]+)\]", expr):
                if fn in ("rate", "irate") and rng != "$__rate_interval":
                    err("panel %r: %s over [%s], use $__rate_interval" % (title, fn, rng))
                if fn == "increase" and rng not in ("$__range", "$__rate_interval", t.get("interval")):
                    err("panel %r: increase over [%s]: use $__range, or a literal range equal to the "
                        "query interval (daily bars)" % (title, rng))


def collect_exprs(name, d):
    out = []
    for title, ref, expr, _ in dq.targets(d):
        out.append(("%s / %s / %s" % (name, title, ref), dq.substitute(expr, EXAMPLE_VALUES)))
    for v in d.get("templating", {}).get("list", []):
        if v.get("type") == "query":
            expr, _ = dq.variable_expr(dq.variable_query(v))
            if expr:
                out.append(("%s / variable %s" % (name, v["name"]), dq.substitute(expr, EXAMPLE_VALUES)))
    return out


def main():
    directory, promtool = sys.argv[1], sys.argv[2]
    dashboards = dq.load_dashboards(directory)
    errors = []
    if set(dashboards) != set(REQUIRED_VARS):
        errors.append("expected dashboards %s, found %s" % (sorted(REQUIRED_VARS), sorted(dashboards)))
    exprs = []
    for name, d in dashboards.items():
        lint(name, d, errors)
        try:
            exprs += collect_exprs(name, d)
        except KeyError as e:
            errors.append("%s: %s" % (name, e))

    # Every query as a recording rule, so that promtool parses all of them.
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "dashboard-queries.rules.yml")
        with open(path, "w", encoding="utf-8") as f:
            f.write("groups:\n  - name: dashboard_queries\n    rules:\n")
            for i, (where, expr) in enumerate(exprs):
                f.write("      # %s\n      - record: dashboard:query_%d\n        expr: |\n" % (where.replace("\n", " "), i))
                for line in expr.splitlines():
                    f.write("          %s\n" % line)
        res = subprocess.run([promtool, "check", "rules", path], capture_output=True, text=True)
        if res.returncode != 0:
            errors.append("promtool check rules failed on the dashboard queries:\n%s%s" % (res.stdout, res.stderr))
            # Say which queries do not parse, one by one.
            for where, expr in exprs:
                single = os.path.join(tmp, "one.rules.yml")
                with open(single, "w", encoding="utf-8") as f:
                    f.write("groups:\n  - name: q\n    rules:\n      - record: dashboard:query\n        expr: |\n")
                    for line in expr.splitlines():
                        f.write("          %s\n" % line)
                r = subprocess.run([promtool, "check", "rules", single], capture_output=True, text=True)
                if r.returncode != 0:
                    errors.append("does not parse: %s\n%s\n%s" % (where, expr, r.stdout + r.stderr))

    if errors:
        print("\n".join(errors))
        print("FAILED: %d problem(s)" % len(errors))
        return 1
    print("OK: %d dashboards, %d queries parse" % (len(dashboards), len(exprs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
