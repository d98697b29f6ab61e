#!/usr/bin/python3
"""Validates what a real site said against docs/schemas/ (run by tests/schema_test.cpp).

Usage: schema_check.py <docs/schemas dir> <samples.jsonl>

Each line of the samples file is one thing a third party would read:
  {"where": "tern/x/results/edge-0/vib/stats", "body": "<payload>"}            (MQTT)
  {"where": "GET /api/v1/chunks/{id}", "status": 200, "body": "<answer>"}      (HTTP)
The schema for each comes from the table in docs/schemas/README.md (so the table is checked
too); an HTTP answer with status >= 400 is the error document, except /healthz whose 503 is
its own text. Checks, each failure one line naming the sample:
  - every schema file is a valid draft 2020-12 schema, and is used by some sample;
  - every sample has a schema in the table, and validates against it;
  - strict schemas (all but the ones the table marks "loose") describe every field the
    server sent: a field missing from the schema is undocumented;
  - the validator is not blind: each object sample with a required field removed, and with
    it retyped, is rejected.
Exit 0 when all hold, 1 otherwise. Needs Debian's python3-jsonschema (4.10: draft 2020-12).
"""

import copy
import json
import os
import re
import sys

import jsonschema

problems = []


def fail(msg):
    problems.append(msg)
    print("FAIL: " + msg)


def load_table(readme):
    """Rows of the README's table: (kind, pattern or None, schema file, loose)."""
    rows = []
    row = re.compile(r"^\| (.+?) \| \[([a-z0-9-]+\.schema\.json)\]\([^)]*\) \|(.*)\|\s*$")
    with open(readme) as f:
        for line in f:
            m = row.match(line)
            if not m:
                continue
            what, schema, notes = m.group(1), m.group(2), m.group(3)
            loose = "loose" in notes
            for part in re.findall(r"`([^`]+)`", what):
                if part.startswith("tern/"):
                    # <placeholder> is one topic level; a literal topic beats a template.
                    rx = "^" + re.sub(r"<[^>]+>", "[^/]+", re.escape(part).replace(r"\<", "<").replace(r"\>", ">")) + "$"
                    rows.append(("topic", part, re.compile(rx), part.count("<"), schema, loose))
                elif part.startswith(("GET ", "PUT ", "POST ")):
                    rows.append(("http", part, None, 0, schema, loose))
                elif part == "error":
                    rows.append(("error", part, None, 0, schema, loose))
    return rows


def schema_for(sample, rows):
    where = sample["where"]
    status = sample.get("status", 0)
    if status >= 400 and not where.endswith("/healthz"):
        cands = [r for r in rows if r[0] == "error"]
    elif where.startswith("tern/"):
        cands = sorted((r for r in rows if r[0] == "topic" and r[2].match(where)), key=lambda r: r[3])
    else:
        cands = [r for r in rows if r[0] == "http" and r[1] == where]
    return cands[0] if cands else None


def strict(schema):
    """The schema with additionalProperties false wherever it lists properties and leaves
    the rest open by default (open maps say additionalProperties themselves)."""
    s = copy.deepcopy(schema)

    def walk(n, close=True):
        if isinstance(n, dict):
            if close and "properties" in n and "additionalProperties" not in n:
                n["additionalProperties"] = False
            for k, v in n.items():
                # An if/then only narrows the object around it: the object itself is closed
                # where it is declared, what the branch lists below it is closed here.
                walk(v, close=k not in ("if", "then", "else"))
        elif isinstance(n, list):
            for v in n:
                walk(v)

    walk(s)
    return s


def mutations(doc, schema):
    """(description, mutated doc) pairs every schema must reject: a required field removed,
    and retyped (a value of another JSON type)."""
    out = []
    req = schema.get("required", [])
    if not isinstance(doc, dict) or not req:
        return out
    key = req[0]
    d = copy.deepcopy(doc)
    del d[key]
    out.append(("without '%s'" % key, d))
    d = copy.deepcopy(doc)
    v = d[key]
    d[key] = [v] if not isinstance(v, list) else {"x": v}
    out.append(("with '%s' retyped" % key, d))
    return out


def main():
    sdir, samples_path = sys.argv[1], sys.argv[2]
    V = jsonschema.Draft202012Validator
    schemas = {}
    for name in sorted(os.listdir(sdir)):
        if not name.endswith(".schema.json"):
            continue
        with open(os.path.join(sdir, name)) as f:
            try:
                schemas[name] = json.load(f)
                V.check_schema(schemas[name])
            except Exception as e:  # a broken schema file is a failure, not a crash
                fail("%s: not a valid schema: %s" % (name, e))
    rows = load_table(os.path.join(sdir, "README.md"))
    for r in rows:
        if r[4] not in schemas:
            fail("README.md maps %s to %s, which does not exist" % (r[1], r[4]))
    used = set()
    count = 0
    with open(samples_path) as f:
        for line in f:
            if not line.strip():
                continue
            sample = json.loads(line)
            count += 1
            label = sample["where"] + (" (%d)" % sample["status"] if "status" in sample else "")
            row = schema_for(sample, rows)
            if row is None:
                fail("%s: no schema in docs/schemas/README.md" % label)
                continue
            name = row[4]
            if name not in schemas:
                continue
            used.add(name)
            schema = schemas[name]
            body = sample["body"]
            if schema.get("type") == "string":
                doc = body  # a text/plain answer, validated as a JSON string
            else:
                try:
                    doc = json.loads(body)
                except ValueError as e:
                    fail("%s: not JSON (%s): %.200s" % (label, e, body))
                    continue
            errs = list(V(schema).iter_errors(doc))
            for e in errs[:5]:
                fail("%s against %s: %s at %s" % (label, name, e.message, "/".join(map(str, e.absolute_path)) or "(top)"))
            if not errs and not row[5]:
                for e in list(V(strict(schema)).iter_errors(doc))[:5]:
                    fail("%s: a field %s does not describe: %s at %s" % (
                        label, name, e.message, "/".join(map(str, e.absolute_path)) or "(top)"))
            for what, bad in mutations(doc, schema):
                if V(schema).is_valid(bad):
                    fail("%s: %s accepts the answer %s" % (label, name, what))
    for name in sorted(schemas):
        if name not in used:
            fail("%s: no sample checked it (no real output of its kind was collected)" % name)
    print("schema_check: %d samples, %d schemas, %d used, %d problems" % (
        count, len(schemas), len(used), len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
