#!/usr/bin/env python3
"""Policy checks on the Terraform of deploy/terraform, over its parsed HCL (hcl2json):

  1. every SQS queue has a dead-letter queue (redrive_policy), or is one;
  2. every queue consumed by a Lambda function has a visibility timeout of at least six
     times the function's timeout (else SQS redelivers work that is still running);
  3. every SQS event source mapping reports partial batch failures (the bootstrap
     answers batchItemFailures);
  4. no IAM policy grants a wildcard action ("*", "s3:*", "sqs:Send*", ...).

    check.py PARSED.json            # exit 1 and one line per violation
    check.py --self-test PARSED.json  # each rule must catch a seeded violation
"""
import copy
import json
import re
import sys


def blocks(doc, kind, type_):
    for parsed in doc.values():
        for name, bodies in parsed.get(kind, {}).get(type_, {}).items():
            for body in bodies:
                yield name, body


def all_locals(doc):
    merged = {}
    for parsed in doc.values():
        for body in parsed.get("locals", []):
            merged.update(body)
    return merged


def resolve(expr, local, key, for_each):
    """Value of the few expression shapes the configuration uses for numbers."""
    if isinstance(expr, (int, float)):
        return expr
    m = re.fullmatch(r"\$\{local\.(\w+)\[each\.key\]\}", str(expr))
    if m:
        return local[m.group(1)][key]
    if expr == "${each.value}":
        m = re.fullmatch(r"\$\{local\.(\w+)\}", str(for_each))
        return local[m.group(1)][key]
    m = re.fullmatch(r"\$\{local\.(\w+)\}", str(expr))
    if m:
        return local[m.group(1)]
    raise ValueError(f"cannot resolve {expr!r}")


def keys_of(for_each, local):
    m = re.fullmatch(r"\$\{(?:toset\()?local\.(\w+)\)?\}", str(for_each))
    value = local[m.group(1)]
    return list(value) if isinstance(value, (list, dict)) else []


def ref_key(expr, type_, name):
    m = re.search(re.escape(f"{type_}.{name}") + r'\["(\w+)"\]', str(expr))
    return m.group(1) if m else None


def violations(doc):
    found = []
    local = all_locals(doc)
    queues = dict(blocks(doc, "resource", "aws_sqs_queue"))
    dlq_targets = {m.group(1) for body in queues.values()
                   for m in re.finditer(r"aws_sqs_queue\.(\w+)", str(body.get("redrive_policy", "")))}
    for name, body in queues.items():
        if name not in dlq_targets and "deadLetterTargetArn" not in str(body.get("redrive_policy", "")):
            found.append(f"aws_sqs_queue.{name}: no dead-letter queue (redrive_policy)")

    functions = dict(blocks(doc, "resource", "aws_lambda_function"))
    for name, esm in blocks(doc, "resource", "aws_lambda_event_source_mapping"):
        if "ReportBatchItemFailures" not in esm.get("function_response_types", []):
            found.append(f"aws_lambda_event_source_mapping.{name}: no ReportBatchItemFailures")
        src = re.search(r"aws_sqs_queue\.(\w+)", str(esm["event_source_arn"]))
        fn = re.search(r"aws_lambda_function\.(\w+)", str(esm["function_name"]))
        if not src or not fn:
            found.append(f"aws_lambda_event_source_mapping.{name}: cannot tell its queue and function")
            continue
        qbody, fbody = queues[src.group(1)], functions[fn.group(1)]
        qkey = ref_key(esm["event_source_arn"], "aws_sqs_queue", src.group(1))
        fkey = ref_key(esm["function_name"], "aws_lambda_function", fn.group(1))
        visibility = resolve(qbody.get("visibility_timeout_seconds", 30), local, qkey, qbody.get("for_each"))
        timeout = resolve(fbody.get("timeout", 3), local, fkey, fbody.get("for_each"))
        if visibility < 6 * timeout:
            found.append(f"aws_lambda_event_source_mapping.{name}: queue {qkey} visibility {visibility} s "
                         f"< 6 x function {fkey} timeout {timeout} s")

    def check_actions(where, actions):
        for action in actions if isinstance(actions, list) else [actions]:
            if "*" in str(action):
                found.append(f"{where}: wildcard IAM action {action!r}")

    for name, body in blocks(doc, "data", "aws_iam_policy_document"):
        statements = list(body.get("statement", []))
        for dyn in body.get("dynamic", {}).get("statement", []):
            statements.extend(dyn.get("content", []))
        for st in statements:
            check_actions(f"data.aws_iam_policy_document.{name}", st.get("actions", []))
    for type_ in ("aws_iam_policy", "aws_iam_role_policy"):
        for name, body in blocks(doc, "resource", type_):
            for m in re.finditer(r'"?Action"?\s*[=:]\s*(\[[^\]]*\]|"[^"]*")', str(body.get("policy", ""))):
                check_actions(f"{type_}.{name}", re.findall(r'"([^"]*)"', m.group(1)))
    return found


def self_test(doc):
    """Each rule must catch a violation seeded into the real configuration."""
    failures = 0

    def expect(label, mutate, needle):
        nonlocal failures
        d = copy.deepcopy(doc)
        mutate(d)
        if not any(needle in v for v in violations(d)):
            failures += 1
            print(f"self-test: {label}: not caught")

    def first(d, kind, type_, name):
        for parsed in d.values():
            if name in parsed.get(kind, {}).get(type_, {}):
                return parsed[kind][type_][name][0]

    expect("queue without DLQ", lambda d: first(d, "resource", "aws_sqs_queue", "stage").pop("redrive_policy"),
           "no dead-letter queue")
    expect("short visibility",
           lambda d: [b.update(visibility={**b["visibility"], "light": 60})
                      for p in d.values() for b in p.get("locals", []) if "visibility" in b],
           "visibility 60 s")
    expect("no partial batch failures",
           lambda d: first(d, "resource", "aws_lambda_event_source_mapping", "analyze").pop("function_response_types"),
           "ReportBatchItemFailures")
    expect("wildcard action",
           lambda d: first(d, "data", "aws_iam_policy_document", "stage")["statement"][0].update(actions=["s3:*"]),
           "wildcard IAM action")
    print(f"self-test: {4 - failures} of 4 seeded violations caught")
    return failures == 0


def main():
    args = sys.argv[1:]
    test = args and args[0] == "--self-test"
    doc = json.load(open(args[-1]))
    found = violations(doc)
    for v in found:
        print("policy:", v)
    print(f"policy: {len(found)} violations")
    ok = not found
    if test:
        ok = self_test(doc) and ok
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
