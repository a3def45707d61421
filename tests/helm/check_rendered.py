#!/usr/bin/env python3
"""Checks the objects `helm template` rendered for one values file.

  check_rendered.py SCENARIO RENDERED.yaml VALUES.yaml CHART_DIR KEYS_OUT_DIR

SCENARIO is the values file's name without values- and .yaml. Writes the key files the chart
would mount into KEYS_OUT_DIR, and the rendered exporter config, web config (when there is one)
and container args (one a line) to config.yml, web.yml and args beside it, so that the caller can
run the real exporter on them.
"""
import base64
import glob
import json
import os
import sys

import yaml

scenario, rendered_path, values_path, chart_dir, keys_out = sys.argv[1:6]
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
    return cond


with open(rendered_path) as f:
    objects = [o for o in yaml.safe_load_all(f) if o]
with open(values_path) as f:
    values = yaml.safe_load(f) or {}
with open(os.path.join(chart_dir, "values.yaml")) as f:
    defaults = yaml.safe_load(f)


def merged(*path):
    """A value as Helm sees it: the values file over the chart's defaults."""
    for source in (values, defaults):
        node = source
        for p in path:
            if not isinstance(node, dict) or p not in node:
                node = None
                break
            node = node[p]
        if node is not None:
            return node
    return None


def of_kind(kind):
    return [o for o in objects if o["kind"] == kind]


def one(kind):
    found = of_kind(kind)
    check(len(found) == 1, f"expected one {kind}, got {len(found)}")
    return found[0] if found else {}


# --- every object: standard labels -------------------------------------------------------
for o in objects:
    labels = o["metadata"].get("labels", {})
    for key in ("app.kubernetes.io/name", "app.kubernetes.io/instance",
                "app.kubernetes.io/managed-by", "helm.sh/chart"):
        check(key in labels, f"{o['kind']}/{o['metadata']['name']} lacks label {key}")

# --- Deployment ---------------------------------------------------------------------------
dep = one("Deployment")
pod = dep["spec"]["template"]["spec"]
check(dep["spec"]["replicas"] == 1, "replicas must be 1")
selector = dep["spec"]["selector"]["matchLabels"]
pod_labels = dep["spec"]["template"]["metadata"]["labels"]
check(all(pod_labels.get(k) == v for k, v in selector.items()), "selector does not match pod")
check(pod.get("automountServiceAccountToken") is False, "service account token mounted")

psc = pod["securityContext"]
check(psc.get("runAsNonRoot") is True, "pod runAsNonRoot")
check(psc.get("runAsUser") == 65532, "pod runAsUser 65532")
check(psc.get("seccompProfile", {}).get("type") == "RuntimeDefault", "pod seccomp RuntimeDefault")
(container,) = pod["containers"]
csc = container["securityContext"]
check(csc.get("allowPrivilegeEscalation") is False, "allowPrivilegeEscalation must be false")
check(csc.get("readOnlyRootFilesystem") is True, "readOnlyRootFilesystem must be true")
check(csc.get("capabilities", {}).get("drop") == ["ALL"], "capabilities must drop ALL")
check(csc.get("runAsNonRoot") is True, "container runAsNonRoot")
check(csc.get("seccompProfile", {}).get("type") == "RuntimeDefault", "container seccomp")
res = container.get("resources", {})
check("memory" in res.get("limits", {}) and res.get("requests"), "resources requests/limits")

ports = {p["name"]: p["containerPort"] for p in container["ports"]}
check(ports.get("http-metrics") == merged("web", "port"), "container port follows web.port")
args = container["args"]
check(f"--web.listen-address=:{merged('web', 'port')}" in args, "listen address follows web.port")
tls = bool((merged("web", "config") or {}).get("tls_server_config"))
scheme = "HTTPS" if tls else "HTTP"
for probe, path in (("livenessProbe", "/-/healthy"), ("readinessProbe", "/-/ready")):
    get = container.get(probe, {}).get("httpGet", {})
    check(get.get("path") == path, f"{probe} path {path}")
    check(get.get("port") == "http-metrics", f"{probe} on the metrics port")
    check(get.get("scheme") == scheme, f"{probe} scheme {scheme}")
    check(get.get("httpHeaders", []) == merged("probes", "httpHeaders"), f"{probe} headers")

mounts = {m["name"]: m for m in container["volumeMounts"]}
volumes = {v["name"]: v for v in pod["volumes"]}
check(set(mounts) == set(volumes), "every volume mounted, every mount backed")
for name, m in mounts.items():
    if name != "state":
        check(m.get("readOnly") is True, f"mount {name} must be read-only")
config_arg = [a for a in args if a.startswith("--config.file=")]
check(config_arg == ["--config.file=" + mounts["config"]["mountPath"] + "/config.yml"],
      "--config.file names the mounted config")

# --- Service ------------------------------------------------------------------------------
svc = one("Service")
check(svc["spec"]["selector"] == selector, "Service selector equals the Deployment's")
(sport,) = svc["spec"]["ports"]
check(sport["targetPort"] in ports, "Service targets the named container port")
check(svc["spec"].get("publishNotReadyAddresses") is True, "not-ready pods stay scrapeable")

# --- ConfigMap: the config, and no secret anywhere outside Secrets ------------------------
config_maps = of_kind("ConfigMap")
main_cm = [c for c in config_maps if "config.yml" in c.get("data", {})]
check(len(main_cm) == 1, "one ConfigMap with config.yml")
rendered_config = yaml.safe_load(main_cm[0]["data"]["config.yml"]) if main_cm else None
check(rendered_config == (merged("config") or {}), "config.yml equals values.config")
os.makedirs(keys_out, exist_ok=True)
with open(os.path.join(os.path.dirname(keys_out), "config.yml"), "w") as f:
    f.write(main_cm[0]["data"]["config.yml"] if main_cm else "")
with open(os.path.join(os.path.dirname(keys_out), "args"), "w") as f:
    f.write("".join(a + "\n" for a in args))

secret_texts = [v for v in (values.get("keys") or {}).values()]
secret_texts += list(((values.get("web") or {}).get("config") or {}).get("basic_auth_users", {}).values())
non_secret_text = "\n".join(yaml.safe_dump(o) for o in objects if o["kind"] != "Secret")
for s in secret_texts:
    check(s not in non_secret_text, "a secret value appears outside a Secret")

# --- API keys -----------------------------------------------------------------------------
secrets = {s["metadata"]["name"]: s for s in of_kind("Secret")}
key_mount = merged("keysMountPath")
existing = values.get("existingSecret")
inline_keys = values.get("keys") or {}
if existing or inline_keys:
    check(mounts.get("keys", {}).get("mountPath") == key_mount, "keys mounted at keysMountPath")
    vol = volumes.get("keys", {}).get("secret", {})
    check(vol.get("defaultMode") == 0o440, "key files readable by owner and fsGroup only")
    if existing:
        check(vol.get("secretName") == existing, "existingSecret mounted")
        check(existing not in secrets, "no chart Secret named like existingSecret")
        check(not any(n.endswith("-keys") for n in secrets), "inline keys ignored with existingSecret")
    else:
        sec = secrets.get(vol.get("secretName"), {})
        data = {k: base64.b64decode(v).decode() for k, v in sec.get("data", {}).items()}
        check(data == inline_keys, "the keys Secret holds exactly the values' keys")
        for name, text in data.items():
            with open(os.path.join(keys_out, name), "w") as f:
                f.write(text + "\n")
    # Every key file the config names lies in the mounted directory.
    for entry in (rendered_config or {}).get("providers", []) + (rendered_config or {}).get("tenants", []):
        for k, path in entry.items():
            if k.endswith("_key_file"):
                check(os.path.dirname(path) == key_mount, f"{k} {path} outside {key_mount}")
else:
    check("keys" not in volumes, "no keys volume without keys")
    check(not secrets or all(n.endswith("-web-config") for n in secrets), "no keys Secret")

# --- persistence --------------------------------------------------------------------------
pvcs = of_kind("PersistentVolumeClaim")
if merged("persistence", "enabled"):
    check("--storage.path=/var/lib/akash-exporter" in args, "--storage.path with persistence")
    check(mounts.get("state", {}).get("mountPath") == "/var/lib/akash-exporter", "state mount")
    check(dep["spec"].get("strategy", {}).get("type") == "Recreate", "Recreate with a volume")
    claim = volumes.get("state", {}).get("persistentVolumeClaim", {}).get("claimName")
    if merged("persistence", "existingClaim"):
        check(not pvcs and claim == merged("persistence", "existingClaim"), "existingClaim used")
    else:
        check(len(pvcs) == 1 and pvcs[0]["metadata"]["name"] == claim, "PVC created and used")
        spec = pvcs[0]["spec"] if pvcs else {}
        check(spec.get("resources", {}).get("requests", {}).get("storage") == merged("persistence", "size"), "PVC size")
        if merged("persistence", "storageClass"):
            check(spec.get("storageClassName") == merged("persistence", "storageClass"), "storage class")
else:
    check(not any(a.startswith("--storage.path") for a in args), "no --storage.path without a volume")
    check(not pvcs and "state" not in volumes, "no volume without persistence")

# --- web config (TLS, basic auth) ---------------------------------------------------------
web_config = merged("web", "config")
if web_config:
    check("--web.config.file=/etc/akash-exporter/web/web.yml" in args, "--web.config.file")
    check(mounts.get("web-config", {}).get("mountPath") == "/etc/akash-exporter/web", "web mount")
    sec = secrets.get(volumes.get("web-config", {}).get("secret", {}).get("secretName"), {})
    text = base64.b64decode(sec.get("data", {}).get("web.yml", "")).decode()
    check(yaml.safe_load(text) == web_config, "web config Secret equals values.web.config")
    # The web config as the pod mounts it, for the caller's --config.check.
    with open(os.path.join(os.path.dirname(keys_out), "web.yml"), "w") as f:
        f.write(text)
else:
    check(not any(a.startswith("--web.config.file") for a in args), "no --web.config.file")
tls_secret = merged("web", "tlsSecretName")
if tls_secret:
    check(volumes.get("tls", {}).get("secret", {}).get("secretName") == tls_secret, "TLS Secret")
    tls_dir = mounts.get("tls", {}).get("mountPath", "")
    for f in ("cert_file", "key_file"):
        path = (web_config or {}).get("tls_server_config", {}).get(f, "")
        check(os.path.dirname(path) == tls_dir, f"{f} under the TLS mount")
check(("--web.enable-lifecycle" in args) == bool(merged("web", "enableLifecycle")), "lifecycle flag")

# --- ServiceMonitor, PrometheusRule, dashboards -------------------------------------------
monitors = of_kind("ServiceMonitor")
if merged("serviceMonitor", "enabled"):
    check(len(monitors) == 1, "one ServiceMonitor")
    sm = monitors[0] if monitors else {"metadata": {}, "spec": {"endpoints": [{}]}}
    labels = sm["metadata"].get("labels", {})
    for k, v in (merged("serviceMonitor", "additionalLabels") or {}).items():
        check(labels.get(k) == v, f"ServiceMonitor label {k}")
    check(sm["spec"].get("selector", {}).get("matchLabels") == selector, "ServiceMonitor selector")
    (ep,) = sm["spec"]["endpoints"]
    check(ep.get("port") == sport["name"], "ServiceMonitor scrapes the Service port")
    check(ep.get("path") == "/metrics" and ep.get("scheme") == scheme.lower(), "ServiceMonitor path/scheme")
    check(ep.get("interval") == merged("serviceMonitor", "interval"), "ServiceMonitor interval")
    check(ep.get("tlsConfig", {}) == merged("serviceMonitor", "tlsConfig"), "ServiceMonitor tlsConfig")
    check(ep.get("basicAuth", {}) == merged("serviceMonitor", "basicAuth"), "ServiceMonitor basicAuth")
else:
    check(not monitors, "no ServiceMonitor unless enabled")

rules = of_kind("PrometheusRule")
if merged("prometheusRule", "enabled"):
    check(len(rules) == 1, "one PrometheusRule")
    pr = rules[0] if rules else {"metadata": {}, "spec": {}}
    for k, v in (merged("prometheusRule", "additionalLabels") or {}).items():
        check(pr["metadata"].get("labels", {}).get(k) == v, f"PrometheusRule label {k}")
    expected = []
    for path in sorted(glob.glob(os.path.join(chart_dir, "files/rules/*.y*ml"))):
        with open(path) as f:
            expected += (yaml.safe_load(f) or {}).get("groups", [])
    expected += merged("prometheusRule", "extraGroups") or []
    got = pr["spec"].get("groups") or []
    check(sorted(json.dumps(g, sort_keys=True) for g in got) ==
          sorted(json.dumps(g, sort_keys=True) for g in expected),
          "PrometheusRule groups are the chart's rule files plus extraGroups")
else:
    check(not rules, "no PrometheusRule unless enabled")

dashboards = [c for c in config_maps if c not in main_cm]
files = sorted(glob.glob(os.path.join(chart_dir, "files/dashboards/*.json")))
if merged("dashboards", "enabled"):
    check(len(dashboards) == len(files), f"{len(files)} dashboard ConfigMaps, got {len(dashboards)}")
    by_file = {k: c for c in dashboards for k in c.get("data", {})}
    for path in files:
        cm = by_file.get(os.path.basename(path))
        if not check(cm is not None, f"no ConfigMap for {path}"):
            continue
        check(cm["metadata"]["labels"].get(merged("dashboards", "label")) ==
              merged("dashboards", "labelValue"), f"{path}: Grafana sidecar label")
        for k, v in (merged("dashboards", "annotations") or {}).items():
            check(cm["metadata"].get("annotations", {}).get(k) == v, f"{path}: annotation {k}")
        with open(path) as f:
            check(json.loads(cm["data"][os.path.basename(path)]) == json.load(f),
                  f"{path}: ConfigMap holds the dashboard unchanged")
else:
    check(not dashboards, "no dashboards unless enabled")

if failures:
    for f in failures:
        print(f"FAIL [{scenario}]: {f}", file=sys.stderr)
    sys.exit(1)
print(f"ok [{scenario}]: {len(objects)} objects")
