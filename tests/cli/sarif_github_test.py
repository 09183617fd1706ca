#!/usr/bin/env python3
"""SARIF against GitHub code scanning's documented requirements ("SARIF support for code
scanning": required and used properties), on a directory scan and a package file.

usage: sarif_github_test.py TRAWL DB WORK
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile

trawl, db, work = sys.argv[1:4]
shutil.rmtree(work, ignore_errors=True)
tree = os.path.join(work, "repo")
os.makedirs(os.path.join(tree, "src"))
with open(os.path.join(tree, "src", "config.py"), "w") as f:
    f.write("# settings\naws_access_key_id = 'AKIA64CFSUOSG2WPIZZX'\n")
member = os.path.join(work, "in.txt")
with open(member, "w") as f:
    f.write("x\nkey AKIAZ7RTPQ4MLK2HVW3N\n")
with tarfile.open(os.path.join(tree, "bundle.tar.gz"), "w:gz") as t:
    t.add(member, arcname="logs/in.txt")

problems = []


def check(ok, what):
    if not ok:
        problems.append(what)


def sarif_of(*args):
    out = subprocess.run([trawl, "analyze", "--db", db, "--format", "sarif", *args],
                         capture_output=True, check=True).stdout
    return json.loads(out)


def validate(doc, name):
    check(doc.get("version") == "2.1.0", f"{name}: version")
    check("sarif" in doc.get("$schema", ""), f"{name}: $schema")
    runs = doc.get("runs")
    check(isinstance(runs, list) and len(runs) == 1, f"{name}: one run")
    run = runs[0]
    driver = run["tool"]["driver"]
    check(driver.get("name") == "trawl", f"{name}: tool.driver.name")
    check(re.match(r"^\d+\.\d+\.\d+", driver.get("version", "")), f"{name}: driver version")
    check(driver.get("semanticVersion") == driver.get("version"), f"{name}: semanticVersion")
    rules = driver.get("rules", [])
    check(0 < len(rules) <= 25000, f"{name}: rules")
    for rule in rules:
        rid = rule.get("id", "")
        check(rid, f"{name}: rule id")
        check(rule.get("name") and " " not in rule["name"], f"{name}: {rid}: name")
        for key in ("shortDescription", "fullDescription"):
            check(rule.get(key, {}).get("text"), f"{name}: {rid}: {key}.text")
        check(len(rule["shortDescription"]["text"]) <= 1024, f"{name}: {rid}: short text length")
        check(rule.get("help", {}).get("text") and rule["help"].get("markdown"), f"{name}: {rid}: help")
        props = rule.get("properties", {})
        check(isinstance(props.get("tags"), list) and "security" in props["tags"], f"{name}: {rid}: tags")
        if props.get("severity") != "info":
            sev = float(props.get("security-severity", "-1"))
            check(0.1 <= sev <= 10.0, f"{name}: {rid}: security-severity {sev}")
        check(rule.get("defaultConfiguration", {}).get("level") in ("error", "warning", "note"),
              f"{name}: {rid}: level")
    ids = [r["id"] for r in rules]
    results = run.get("results", [])
    check(0 < len(results) <= 25000, f"{name}: results")
    for res in results:
        check(res.get("ruleId") in ids, f"{name}: ruleId")
        check(ids[res.get("ruleIndex", -1)] == res.get("ruleId"), f"{name}: ruleIndex")
        check(res.get("message", {}).get("text"), f"{name}: message.text")
        check(res.get("partialFingerprints"), f"{name}: partialFingerprints")
        locs = res.get("locations", [])
        check(locs, f"{name}: locations")
        for loc in locs:
            phys = loc["physicalLocation"]
            uri = phys["artifactLocation"]["uri"]
            check(not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", uri) and not uri.startswith("/"),
                  f"{name}: relative uri {uri}")
            check("!" not in uri, f"{name}: archive chain in the uri {uri}")
            check(phys["artifactLocation"].get("uriBaseId") == "%SRCROOT%", f"{name}: uriBaseId")
            region = phys["region"]
            check(region.get("startLine", 0) >= 1, f"{name}: startLine")
            if "startColumn" in region:
                check(region["startColumn"] >= 1, f"{name}: startColumn")
            if "endColumn" in region:
                check(region.get("endLine", 0) >= region["startLine"], f"{name}: endLine")
                check(region["endColumn"] > region["startColumn"], f"{name}: endColumn")
    return run


# A directory: URIs are the files' paths below it, members of archives logical locations.
run = validate(sarif_of(tree), "directory")
by_uri = {}
for res in run["results"]:
    for loc in res["locations"]:
        by_uri.setdefault(loc["physicalLocation"]["artifactLocation"]["uri"], []).append((res, loc))
check("src/config.py" in by_uri, f"directory: src/config.py among {sorted(by_uri)}")
res, loc = by_uri["src/config.py"][0]
region = loc["physicalLocation"]["region"]
# The key starts at line 2, column 22 and is 20 characters long.
check((region.get("startLine"), region.get("startColumn"), region.get("endLine"),
       region.get("endColumn")) == (2, 22, 2, 42), f"directory: region {region}")
check("bundle.tar.gz" in by_uri, f"directory: bundle.tar.gz among {sorted(by_uri)}")
res, loc = by_uri["bundle.tar.gz"][0]
check(loc["properties"].get("archiveMember") == "logs/in.txt", f"member property: {loc}")
check(any(l.get("kind") == "archiveMember" and l.get("name") == "logs/in.txt"
          for l in loc.get("logicalLocations", [])), f"member logical location: {loc}")

# A package file: the archive is the artifact, its members logical locations.
run = validate(sarif_of(os.path.join(tree, "bundle.tar.gz")), "package")
uris = {l["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"] for l in r["locations"]}
check(uris == {"bundle.tar.gz"}, f"package: uris {uris}")

# Rules are described by their files: the first sentence is the short description, the
# whole text the full one and the help, the first http(s) reference the helpUri.
rules_dir = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(rules_dir, "..", "..", "rules", "secrets.json")) as f:
    described = {r["id"]: r.get("description", "") for r in json.load(f)}
for rule in run["tool"]["driver"]["rules"]:
    if described.get(rule["id"]):
        check(rule["fullDescription"]["text"] == described[rule["id"]],
              f"secrets.json: {rule['id']}: fullDescription {rule['fullDescription']}")
        check(described[rule["id"]] in rule["help"]["text"], f"secrets.json: {rule['id']}: help")
own_rules = os.path.join(work, "own.json")
with open(own_rules, "w") as f:
    json.dump([{"id": "test-deploy-token", "regex": "\\b(dtk_[a-z0-9]{24})\\b",
                "category": "secret", "severity": "high", "confidence": 0.9,
                "description": "Deploy token of the test service. It deploys to production.",
                "references": ["the runbook", "https://docs.example.test/deploy-tokens"]}], f)
own_db = os.path.join(work, "own.tdb")
subprocess.run([trawl, "compile", own_rules, "-o", own_db], capture_output=True, check=True)
with open(os.path.join(tree, "src", "deploy.env"), "w") as f:
    f.write("TOKEN=dtk_0123456789abcdefghijklmn\n")
own = subprocess.run([trawl, "analyze", "--db", own_db, "--format", "sarif", tree],
                     capture_output=True, check=True).stdout
run = validate(json.loads(own), "own rules")
rule = {r["id"]: r for r in run["tool"]["driver"]["rules"]}.get("test-deploy-token", {})
check(rule.get("shortDescription", {}).get("text") == "Deploy token of the test service",
      f"own rules: shortDescription {rule.get('shortDescription')}")
check(rule.get("fullDescription", {}).get("text") ==
      "Deploy token of the test service. It deploys to production.",
      f"own rules: fullDescription {rule.get('fullDescription')}")
check(rule.get("helpUri") == "https://docs.example.test/deploy-tokens",
      f"own rules: helpUri {rule.get('helpUri')}")
markdown = rule.get("help", {}).get("markdown", "")
check("It deploys to production." in markdown and "- the runbook" in markdown and
      "Revoke or rotate" in markdown, f"own rules: help.markdown {markdown!r}")
check("It deploys to production." in rule.get("help", {}).get("text", ""),
      f"own rules: help.text {rule.get('help')}")

for p in problems:
    print("FAILED:", p)
print(f"{len(problems)} problem(s)")
sys.exit(1 if problems else 0)
