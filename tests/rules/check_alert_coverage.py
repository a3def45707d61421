#!/usr/bin/env python3
"""Every alert has summary, description and a runbook_url pointing at an existing section of
rules/RUNBOOK.md, and at least one promtool test case where it fires and one where it must not.

Usage: check_alert_coverage.py REPO_DIR"""

import glob
import os
import re
import sys

import yaml


def main():
    repo = sys.argv[1]
    errors = []
    with open(os.path.join(repo, "rules", "RUNBOOK.md"), encoding="utf-8") as f:
        anchors = {h.strip().lower() for h in re.findall(r"^## (.+)$", f.read(), re.M)}
    alerts = []
    for path in glob.glob(os.path.join(repo, "rules", "*.alerts.yml")):
        with open(path, encoding="utf-8") as f:
            for group in yaml.safe_load(f)["groups"]:
                alerts += [r for r in group["rules"] if "alert" in r]
    if not alerts:
        errors.append("no alerts found")

    firing, quiet = set(), set()
    for path in glob.glob(os.path.join(repo, "tests", "rules", "*.test.yml")):
        with open(path, encoding="utf-8") as f:
            for test in yaml.safe_load(f).get("tests", []):
                for case in test.get("alert_rule_test", []):
                    (firing if case.get("exp_alerts") else quiet).add(case["alertname"])

    for a in alerts:
        name = a["alert"]
        ann = a.get("annotations", {})
        for key in ("summary", "description", "runbook_url"):
            if not ann.get(key):
                errors.append("%s: no %s" % (name, key))
        url = ann.get("runbook_url", "")
        if not re.search(r"/rules/RUNBOOK\.md#", url) or url.split("#", 1)[-1] not in anchors:
            errors.append("%s: runbook_url %r has no section in rules/RUNBOOK.md" % (name, url))
        if name not in firing:
            errors.append("%s: no test case where it fires" % name)
        if name not in quiet:
            errors.append("%s: no test case where it must not fire" % name)

    if errors:
        print("\n".join(errors))
        return 1
    print("OK: %d alerts, each documented and tested firing and not firing" % len(alerts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
