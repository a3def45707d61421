"""Reads the generated Grafana dashboards and yields every PromQL expression they run, with
Grafana's variables replaced by concrete values. Shared by the dashboard lint and the e2e test."""

import json
import os
import re

# Grafana's built-in interval variables, replaced by durations PromQL accepts.
DEFAULT_BUILTINS = {
    "__rate_interval": "1m",
    "__interval": "1m",
    "__range": "1d",
}


def load_dashboards(directory):
    out = {}
    for name in sorted(os.listdir(directory)):
        if name.endswith(".json"):
            with open(os.path.join(directory, name), encoding="utf-8") as f:
                out[name] = json.load(f)
    return out


def panels(dashboard):
    """Every panel, rows' nested panels included (rows themselves excluded)."""
    for p in dashboard.get("panels", []):
        if p.get("type") == "row":
            yield from p.get("panels", [])
        else:
            yield p


def variable_query(var):
    q = var.get("query")
    if isinstance(q, dict):
        q = q.get("query", "")
    return q or ""


def variable_expr(query):
    """The PromQL inside a Prometheus variable query (label_values(EXPR, label) or
    query_result(EXPR)); None for label_values(label) without a selector."""
    m = re.fullmatch(r"\s*label_values\((.*),\s*(\w+)\s*\)\s*", query, re.S)
    if m:
        return m.group(1), m.group(2)
    m = re.fullmatch(r"\s*query_result\((.*)\)\s*", query, re.S)
    if m:
        return m.group(1), None
    return None, None


def substitute(expr, values, builtins=None):
    """Replaces $name, ${name} and ${name:fmt} by values[name] (or the builtins)."""
    table = dict(DEFAULT_BUILTINS)
    table.update(builtins or {})
    table.update(values)

    def repl(m):
        name = m.group(1) or m.group(2)
        if name not in table:
            raise KeyError("unknown variable $%s in: %s" % (name, expr))
        return table[name]

    return re.sub(r"\$\{([A-Za-z_]\w*)(?::\w+)?\}|\$([A-Za-z_]\w*)", repl, expr)


def targets(dashboard):
    """(panel title, refId, expr, target) for every query of every panel."""
    for p in panels(dashboard):
        for t in p.get("targets", []):
            yield p.get("title", ""), t.get("refId", ""), t.get("expr", ""), t
