#!/usr/bin/env python3
"""End-to-end: every dashboard query returns data against a real stack.

Starts akash_sim (--demo: a small live world at the wall clock), akash_exporter with the demo's
config (every source polling each second) and a real Prometheus scraping it every second with the
mixin's recording and alerting rules loaded. Then resolves each dashboard's template variables the
way Grafana does (their queries run against Prometheus, the first value is selected), substitutes
them and Grafana's interval variables into every panel query, and runs each through the HTTP API.
Every query must return a non-empty result; the test lists exactly the ones that do not.

Usage: dashboards_e2e.py --exporter BIN --sim BIN --prometheus BIN --repo DIR
"""

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

import yaml

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "rules"))
import dashboard_queries as dq  # noqa: E402

SOURCES = ["provider_dashboard", "provider_earnings", "chain_leases", "market", "provider_status",
           "tenant_usage", "tenant_billing"]
JOB = "akash-exporter"
# Grafana's interval variables for a 1 s scrape interval and a recent time range.
BUILTINS = {"__rate_interval": "10s", "__interval": "2s", "__range": "1h"}


class Stack:
    def __init__(self, tmp):
        self.tmp = tmp
        self.procs = []

    def start(self, name, argv):
        out = open(os.path.join(self.tmp, name + ".out"), "w")
        err = open(os.path.join(self.tmp, name + ".err"), "w")
        p = subprocess.Popen(argv, stdout=out, stderr=err, cwd=self.tmp, start_new_session=True)
        self.procs.append((name, p))
        return p

    def log(self, name, stream="err"):
        try:
            with open(os.path.join(self.tmp, "%s.%s" % (name, stream)), encoding="utf-8", errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def wait_log(self, name, pattern, timeout, stream="err"):
        deadline = time.time() + timeout
        while time.time() < deadline:
            m = re.search(pattern, self.log(name, stream))
            if m:
                return m
            time.sleep(0.1)
        raise RuntimeError("%s: no %r within %ss:\n%s" % (name, pattern, timeout, self.log(name, stream)[-3000:]))

    def stop(self):
        for _, p in reversed(self.procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for _, p in reversed(self.procs):
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_json(url, timeout=10):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return json.loads(r.read().decode())


def http_status(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except OSError:
        return 0


class Prom:
    def __init__(self, base):
        self.base = base

    def query(self, expr):
        url = self.base + "/api/v1/query?" + urllib.parse.urlencode({"query": expr})
        try:
            d = http_json(url)
        except urllib.error.HTTPError as e:
            return None, "HTTP %d: %s" % (e.code, e.read().decode()[:500])
        if d.get("status") != "success":
            return None, str(d)
        return d["data"], None


def sample_count(data):
    if data is None:
        return 0
    if data["resultType"] in ("vector", "matrix"):
        return len(data["result"])
    return 1  # scalar / string


def resolve_variables(prom, dashboard):
    """Runs the dashboard's query variables in order, picking the first value of each, as
    Grafana does on first load. Returns (values, problems)."""
    values = {"datasource": "prometheus"}
    problems = []
    for v in dashboard.get("templating", {}).get("list", []):
        if v.get("type") != "query":
            continue
        name = v["name"]
        query = dq.variable_query(v)
        expr, label = dq.variable_expr(query)
        data, error = prom.query(dq.substitute(expr, values, BUILTINS)) if expr else (None, "no selector")
        options = []
        for s in (data or {}).get("result", []):
            metric = s["metric"]
            if label:
                if label in metric:
                    options.append(metric[label])
                continue
            # query_result: Grafana matches the regex against `name{labels} value ts`.
            text = "%s{%s} %s %s" % (metric.get("__name__", ""),
                                     ",".join('%s="%s"' % (k, metric[k]) for k in sorted(metric) if k != "__name__"),
                                     s["value"][1], s["value"][0])
            regex = v.get("regex", "")
            if regex:
                m = re.search(regex.strip("/").replace("(?<", "(?P<"), text)
                if m:
                    options.append(m.groupdict().get("value") or m.group(1))
            else:
                options.append(text)
        options = sorted(set(options))
        if not options:
            problems.append("variable $%s: no values (%s)%s" % (name, query, " " + error if error else ""))
            values[name] = "no-value-for-" + name
        else:
            values[name] = options[0]
    return values, problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--exporter")
    ap.add_argument("--sim")
    ap.add_argument("--metrics-file",
                    help="serve this exposition instead of running akash_sim and akash_exporter")
    ap.add_argument("--prometheus", required=True)
    ap.add_argument("--repo", required=True)
    ap.add_argument("--timeout", type=float, default=120, help="seconds to wait for every query")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = ap.parse_args()
    for k in ("exporter", "sim", "prometheus", "repo", "metrics_file"):
        if getattr(args, k):
            setattr(args, k, os.path.abspath(getattr(args, k)))
    if not args.metrics_file and not (args.exporter and args.sim):
        ap.error("--exporter and --sim, or --metrics-file")

    tmp = tempfile.mkdtemp(prefix="akash-e2e-")
    stack = Stack(tmp)
    try:
        return run(args, tmp, stack)
    finally:
        stack.stop()
        if args.keep:
            print("kept", tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def serve_file(path):
    """A /metrics endpoint serving a fixed exposition; returns its URL."""
    import http.server
    import threading

    with open(path, "rb") as f:
        body = f.read()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            code = 200 if self.path in ("/metrics", "/-/ready") else 404
            self.send_response(code)
            self.send_header("Content-Type", "text/plain; version=0.0.4")
            self.send_header("Content-Length", str(len(body) if code == 200 else 0))
            self.end_headers()
            if code == 200:
                self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server.server_address[1]


def start_exporter(args, tmp, stack, notes):
    """akash_sim --demo and akash_exporter with the demo's config; returns the exporter's port."""
    # 1. The simulator and its ready-made exporter config.
    demo_dir = os.path.join(tmp, "demo")
    stack.start("sim", [args.sim, "--listen=127.0.0.1:0", "--demo", "--demo-dir=" + demo_dir])
    stack.wait_log("sim", r"listening on (http://127\.0\.0\.1:\d+)", 30, stream="out")
    config_path = os.path.join(demo_dir, "akash_exporter.yml")
    stack.wait_log("sim", r"demo config also written", 30)
    with open(config_path, encoding="utf-8") as f:
        config = yaml.safe_load(f)

    # 2. Every source polls each second, so that a few seconds give several polls of each.
    sources = config.setdefault("sources", {}) or {}
    for s in SOURCES:
        sources[s] = dict(sources.get(s) or {}, interval="1s")
    config["sources"] = sources
    exporter_config = os.path.join(tmp, "exporter.yml")

    def write_config():
        with open(exporter_config, "w", encoding="utf-8") as f:
            yaml.safe_dump(config, f, sort_keys=False)

    write_config()
    check = subprocess.run([args.exporter, "--config.file=" + exporter_config, "--config.check"],
                           capture_output=True, text=True)
    if check.returncode != 0:
        # A source this build does not know yet: run without it, and let its queries show up as
        # empty below (the test still fails for them).
        for m in re.finditer(r'unknown key "(\w+)" in sources\b', check.stderr):
            sources.pop(m.group(1), None)
            notes.append("source %s is not known to this build (--config.check: %s)"
                         % (m.group(1), check.stderr.strip()))
        write_config()
        check = subprocess.run([args.exporter, "--config.file=" + exporter_config, "--config.check"],
                               capture_output=True, text=True)
        if check.returncode != 0:
            raise RuntimeError("exporter config invalid:\n" + check.stderr)

    stack.start("exporter", [args.exporter, "--config.file=" + exporter_config,
                             "--web.listen-address=127.0.0.1:0"])
    exporter_port = stack.wait_log("exporter", r"ports=(\d+)", 20).group(1)
    return exporter_port


def run(args, tmp, stack):
    notes = []
    if args.metrics_file:
        exporter_port = serve_file(args.metrics_file)
        notes.append("serving %s instead of akash_sim + akash_exporter" % args.metrics_file)
    else:
        exporter_port = start_exporter(args, tmp, stack, notes)
    exporter_url = "http://127.0.0.1:%s" % exporter_port

    # 3. Prometheus with the mixin's rules, scraping and evaluating each second.
    rules_dir = os.path.join(args.repo, "rules")
    rule_files = [os.path.join(rules_dir, f) for f in sorted(os.listdir(rules_dir))
                  if f.endswith(".rules.yml") or f.endswith(".alerts.yml")]
    prom_config = {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s", "scrape_timeout": "1s"},
        "rule_files": rule_files,
        "scrape_configs": [{"job_name": JOB, "static_configs": [{"targets": ["127.0.0.1:%s" % exporter_port]}]}],
    }
    prom_config_path = os.path.join(tmp, "prometheus.yml")
    with open(prom_config_path, "w", encoding="utf-8") as f:
        yaml.safe_dump(prom_config, f)
    prom_port = free_port()
    stack.start("prometheus", [args.prometheus, "--config.file=" + prom_config_path,
                               "--storage.tsdb.path=" + os.path.join(tmp, "tsdb"),
                               "--web.listen-address=127.0.0.1:%d" % prom_port])
    prom = Prom("http://127.0.0.1:%d" % prom_port)
    deadline = time.time() + 60
    while http_status(prom.base + "/-/ready") != 200:
        if time.time() > deadline or stack.procs[-1][1].poll() is not None:
            print("prometheus did not start:\n" + stack.log("prometheus")[-3000:])
            return 1
        time.sleep(0.2)

    # 4. A few scrapes of an exporter whose sources have all answered once.
    start = time.time()
    deadline = start + args.timeout
    ready = False
    while time.time() < deadline:
        ready = ready or http_status(exporter_url + "/-/ready") == 200
        data, _ = prom.query('count_over_time(up{job="%s"}[1m]) >= 5' % JOB)
        if ready and sample_count(data) > 0:
            break
        time.sleep(0.5)
    if not ready:
        notes.append("exporter /-/ready was never 200 within %ss (a source never succeeded)" % args.timeout)

    # 5. Every query of every dashboard, retried until the deadline so that slow sources and
    # recording rules (increase() needs two samples) have their chance.
    dashboards = dq.load_dashboards(os.path.join(args.repo, "dashboards"))
    while True:
        results = []  # (where, expr, samples, error)
        variable_problems = []
        for name, d in dashboards.items():
            values, problems = resolve_variables(prom, d)
            variable_problems += ["%s: %s" % (name, p) for p in problems]
            for title, ref, expr, _ in dq.targets(d):
                q = dq.substitute(expr, values, BUILTINS)
                data, error = prom.query(q)
                results.append(("%s / %s / %s" % (name, title, ref), q, sample_count(data), error))
        empty = [r for r in results if r[2] == 0]
        if (not empty and not variable_problems) or time.time() > deadline:
            break
        time.sleep(2)

    # A rule that fails to evaluate (e.g. a join that matches many-to-many) is a bug even when
    # the dashboards still show something.
    rule_errors = []
    for g in http_json(prom.base + "/api/v1/rules")["data"]["groups"]:
        for r in g["rules"]:
            if r.get("health") == "err":
                rule_errors.append("rule %s / %s: %s" % (g["name"], r.get("name"), r.get("lastError")))

    print("exporter %s, prometheus %s, %d queries after %.0fs" % (exporter_url, prom.base, len(results), time.time() - start))
    for n in notes:
        print("note:", n)
    for where, q, n, error in results:
        print("%-4s %3d  %s" % ("ok" if n else "EMPTY", n, where))
    for e in rule_errors:
        print("RULE ERROR " + e)
    if variable_problems or empty or rule_errors:
        print("\nFAILED: %d of %d dashboard queries returned no data, %d variable(s) had no value, "
              "%d rule(s) failed to evaluate:" % (len(empty), len(results), len(variable_problems), len(rule_errors)))
        for p in variable_problems:
            print("  " + p)
        for where, q, n, error in empty:
            print("  %s%s\n      %s" % (where, " (%s)" % error if error else "", " ".join(q.split())))
        if not args.metrics_file:
            print("\nexporter log tail:\n" + stack.log("exporter")[-2000:])
        return 1
    print("OK: every dashboard query returned data")
    return 0


if __name__ == "__main__":
    sys.exit(main())
