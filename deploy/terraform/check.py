#!/usr/bin/env python3
"""Policy checks on the Terraform of deploy/terraform, over its parsed HCL (hcl2json):

  1. every SQS queue has a dead-letter queue (redrive_policy), or is one;
  2. every queue consumed by a Lambda function has a visibility timeout of at least six
     times the function's timeout (else SQS redelivers work that is still running);
  3. every SQS event source mapping reports partial batch failures (the bootstrap
     answers batchItemFailures);
  4. no IAM policy allows a wildcard action ("*", "s3:*", "sqs:Send*", ...);
  5. no identity policy allows resource "*" except for actions that have no resource level;
  6. no NotAction, NotResource or NotPrincipal anywhere;
  7. no managed-policy attachment (AdministratorAccess or any other): inline policies only;
  8. every bucket: public access block (all four), SSE-KMS with a customer-managed key and
     bucket keys, a bucket policy, versioning where data lives, lifecycle expiration;
  9. TLS only: every bucket and queue policy denies aws:SecureTransport = false, and every
     queue has such a policy and a customer-managed key;
 10. lifecycle: the pipeline's incoming/ and intermediate prefixes expire; the table has
     TTL and a customer-managed key; log groups are encrypted with one;
 11. KMS: key rotation on, an explicit policy that allows no "*" or account-root principal
     and no kms:* action;
 12. VPC placement: every function has a vpc_config, every ECS service no public IP, and
     there is no NAT or internet gateway;
 13. the fingerprint key: one secret, injected into the worker (`secrets`), fetched by the
     analyze function, never in plain environment; worker_image is validated as a digest;
     intake has an on-failure destination; Container Insights is on;
 14. operations: the worker service's scalable target has min capacity 0; its alarms and
     step policies (metric math, evaluated here) scale out from zero on one waiting
     message, scale idle tasks in but never busy ones, and decide exactly what scaling.py
     decides from scaling.json over a grid of queue and task counts; scheduled actions
     raise the minimum to the warm pool in business hours and back to 0; the service's
     desired_count is left to the scaling; no alarm fires at zero tasks; every dead-letter
     queue alarms; every function reserves concurrency and every SQS mapping's
     maximum_concurrency stays within it; the dashboard shows queues, dead letters, tasks,
     duration, errors, throttles and packages reported; component-status writes are
     metadata copies of packages/*/components/* only; the worker may protect itself from
     scale-in; classify knows the analyze function's memory.

    check.py PARSED.json            # exit 1 and one line per violation
    check.py --self-test PARSED.json  # every seeded violation must be caught
"""
import copy
import json
import math
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import scaling  # noqa: E402


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
    hcl = Resolver(doc)
    for name, esm in blocks(doc, "resource", "aws_lambda_event_source_mapping"):
        for each_key, each_value in hcl.instances(esm):
            where = f"aws_lambda_event_source_mapping.{name}" + (f"[{each_key}]" if each_key else "")
            if "ReportBatchItemFailures" not in esm.get("function_response_types", []):
                found.append(f"{where}: no ReportBatchItemFailures")
            src = re.search(r"aws_sqs_queue\.(\w+)\[([^\]]+)\]", str(esm["event_source_arn"]))
            fn = re.search(r"aws_lambda_function\.(\w+)\[([^\]]+)\]", str(esm["function_name"]))
            if not src or not fn:
                found.append(f"{where}: cannot tell its queue and function")
                continue
            qbody, fbody = queues[src.group(1)], functions[fn.group(1)]
            qkey = hcl.index(src.group(2), each_key, each_value)
            fkey = hcl.index(fn.group(2), each_key, each_value)
            visibility = resolve(qbody.get("visibility_timeout_seconds", 30), local, qkey, qbody.get("for_each"))
            timeout = resolve(fbody.get("timeout", 3), local, fkey, fbody.get("for_each"))
            if visibility < 6 * timeout:
                found.append(f"{where}: queue {qkey} visibility {visibility} s "
                             f"< 6 x function {fkey} timeout {timeout} s")

    found.extend(iam_violations(doc))
    found.extend(storage_violations(doc, local))
    found.extend(platform_violations(doc))
    found.extend(operations_violations(doc, hcl))
    return found


# Actions that have no resource-level permissions: "*" is their only resource.
NO_RESOURCE_LEVEL = {"ecr:GetAuthorizationToken", "ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces",
                     "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses",
                     "ec2:UnassignPrivateIpAddresses"}


def as_list(value):
    return value if isinstance(value, list) else [value]


def statements(body):
    out = list(body.get("statement", []))
    for dyn in body.get("dynamic", {}).get("statement", []):
        out.extend(dyn.get("content", []))
    return out


def doc_uses(doc):
    """Name of each aws_iam_policy_document -> how it is used: "key" (a KMS key policy),
    "resource" (bucket or queue policy), "trust" (assume-role policy) or "identity"."""
    uses = {}
    patterns = (("aws_kms_key", "policy", "key"), ("aws_s3_bucket_policy", "policy", "resource"),
                ("aws_sqs_queue_policy", "policy", "resource"), ("aws_iam_role", "assume_role_policy", "trust"))
    for type_, field, kind in patterns:
        for _, body in blocks(doc, "resource", type_):
            for m in re.finditer(r"data\.aws_iam_policy_document\.(\w+)", str(body.get(field, ""))):
                uses[m.group(1)] = kind
    return uses


def tls_deny(statement_list):
    """Whether a statement denies requests without TLS."""
    for st in statement_list:
        if st.get("effect") != "Deny":
            continue
        for c in st.get("condition", []):
            if c.get("variable") == "aws:SecureTransport" and as_list(c.get("values")) == ["false"]:
                return True
    return False


def iam_violations(doc):
    found = []
    uses = doc_uses(doc)
    for name, body in blocks(doc, "data", "aws_iam_policy_document"):
        kind = uses.get(name, "identity")
        where = f"data.aws_iam_policy_document.{name}"
        for st in statements(body):
            for neg in ("not_actions", "not_resources", "not_principals"):
                if neg in st:
                    found.append(f"{where}: {neg} (say what is allowed instead)")
            if st.get("effect", "Allow") == "Deny":
                continue
            actions = [str(a) for a in as_list(st.get("actions", []))]
            for action in actions:
                if "*" in action:
                    found.append(f"{where}: wildcard IAM action {action!r}")
            if kind == "identity" and "*" in as_list(st.get("resources", [])):
                broad = [a for a in actions if a not in NO_RESOURCE_LEVEL]
                if broad:
                    found.append(f"{where}: resource \"*\" for {', '.join(broad)}")
            for p in st.get("principals", []):
                ids = [str(i) for i in as_list(p.get("identifiers", []))]
                if "*" in ids and kind != "trust":
                    found.append(f"{where}: allows principal \"*\"")
                if kind == "key" and any(re.search(r":root\b|:root$", i) for i in ids):
                    found.append(f"{where}: key policy allows the account root (every IAM principal)")
    for type_ in ("aws_iam_policy", "aws_iam_role_policy"):
        for name, body in blocks(doc, "resource", type_):
            text = str(body.get("policy", ""))
            for m in re.finditer(r'"?Action"?\s*[=:]\s*(\[[^\]]*\]|"[^"]*")', text):
                for action in re.findall(r'"([^"]*)"', m.group(1)):
                    if "*" in action:
                        found.append(f"{type_}.{name}: wildcard IAM action {action!r}")
            for neg in ("NotAction", "NotResource", "NotPrincipal"):
                if neg in text:
                    found.append(f"{type_}.{name}: {neg}")
    for type_ in ("aws_iam_role_policy_attachment", "aws_iam_policy_attachment",
                  "aws_iam_user_policy_attachment", "aws_iam_group_policy_attachment"):
        for name, body in blocks(doc, "resource", type_):
            found.append(f"{type_}.{name}: managed policy {body.get('policy_arn')} attached")
    for name, body in blocks(doc, "resource", "aws_iam_role"):
        if body.get("managed_policy_arns"):
            found.append(f"aws_iam_role.{name}: managed_policy_arns")
    return found


def referencing(doc, type_, target_type, name):
    """Bodies of `type_` resources whose text refers to target_type.name."""
    pattern = re.compile(re.escape(f"{target_type}.{name}") + r"\b")
    return [body for _, body in blocks(doc, "resource", type_) if pattern.search(json.dumps(body))]


def policy_doc(doc, body):
    m = re.search(r"data\.aws_iam_policy_document\.(\w+)", str(body.get("policy", "")))
    if not m:
        return None
    return dict(blocks(doc, "data", "aws_iam_policy_document")).get(m.group(1))


def expand_locals(text, local):
    """`text` with each local.X it names followed by that local's own text (one level)."""
    return text + " ".join(json.dumps(local.get(m.group(1), "")) for m in re.finditer(r"local\.(\w+)", text))


def storage_violations(doc, local):
    found = []
    for name, bucket in blocks(doc, "resource", "aws_s3_bucket"):
        where = f"aws_s3_bucket.{name}"
        pabs = referencing(doc, "aws_s3_bucket_public_access_block", "aws_s3_bucket", name)
        if not any(all(p.get(k) is True for k in ("block_public_acls", "block_public_policy", "ignore_public_acls",
                                                   "restrict_public_buckets")) for p in pabs):
            found.append(f"{where}: no complete public access block")
        sse_ok = False
        for sse in referencing(doc, "aws_s3_bucket_server_side_encryption_configuration", "aws_s3_bucket", name):
            for rule in sse.get("rule", []):
                default = (rule.get("apply_server_side_encryption_by_default") or [{}])[0]
                key = str(default.get("kms_master_key_id", ""))
                if "each.value" in key:  # the key comes with the for_each
                    key = expand_locals(str(sse.get("for_each", "")), local)
                if default.get("sse_algorithm") == "aws:kms" and "aws_kms_key." in key and \
                        rule.get("bucket_key_enabled") is True:
                    sse_ok = True
        if not sse_ok:
            found.append(f"{where}: not encrypted with a customer-managed KMS key and bucket keys")
        policies = referencing(doc, "aws_s3_bucket_policy", "aws_s3_bucket", name)
        if not policies:
            found.append(f"{where}: no bucket policy")
        elif not any(tls_deny(statements(policy_doc(doc, p) or {})) for p in policies):
            found.append(f"{where}: bucket policy does not deny plain HTTP (aws:SecureTransport)")
        lifecycles = referencing(doc, "aws_s3_bucket_lifecycle_configuration", "aws_s3_bucket", name)
        if not any("expiration" in json.dumps(lc) for lc in lifecycles):
            found.append(f"{where}: no lifecycle expiration")
        # The bucket the S3 notification watches is the pipeline's: versioned (reports/
        # keeps its versions), and every prefix the pipeline writes expires.
        if referencing(doc, "aws_s3_bucket_notification", "aws_s3_bucket", name):
            versioning = referencing(doc, "aws_s3_bucket_versioning", "aws_s3_bucket", name)
            if not any(v.get("versioning_configuration", [{}])[0].get("status") == "Enabled" for v in versioning):
                found.append(f"{where}: not versioned")
            expiring = set()
            for lc in lifecycles:
                for rule in lc.get("rule", []):
                    if rule.get("expiration") and rule.get("expiration")[0].get("days") is not None:
                        expiring.update(f.get("prefix") for f in rule.get("filter", []))
                for dyn in lc.get("dynamic", {}).get("rule", []):
                    m = re.search(r"local\.(\w+)", str(dyn.get("for_each", "")))
                    value = local.get(m.group(1), {}) if m else {}
                    for per_bucket in (value.values() if isinstance(value, dict) else []):
                        if isinstance(per_bucket, dict) and "incoming/" in per_bucket:
                            expiring.update(per_bucket)
            for prefix in ("incoming/", "packages/", "plans/", "results/"):
                if prefix not in expiring:
                    found.append(f"{where}: {prefix} never expires")

    queue_policies = [(expand_locals(json.dumps({k: b.get(k) for k in ("for_each", "queue_url")}), local), b)
                      for _, b in blocks(doc, "resource", "aws_sqs_queue_policy")]
    for name, queue in blocks(doc, "resource", "aws_sqs_queue"):
        where = f"aws_sqs_queue.{name}"
        if "aws_kms_key." not in str(queue.get("kms_master_key_id", "")):
            found.append(f"{where}: not encrypted with a customer-managed KMS key")
        covering = [b for text, b in queue_policies if re.search(rf"aws_sqs_queue\.{name}\b", text)]
        if not any(tls_deny(statements(policy_doc(doc, b) or {})) for b in covering):
            found.append(f"{where}: no queue policy denying plain HTTP (aws:SecureTransport)")

    for name, table in blocks(doc, "resource", "aws_dynamodb_table"):
        ttl = (table.get("ttl") or [{}])[0]
        if ttl.get("enabled") is not True:
            found.append(f"aws_dynamodb_table.{name}: no TTL")
        sse = (table.get("server_side_encryption") or [{}])[0]
        if sse.get("enabled") is not True or "aws_kms_key." not in str(sse.get("kms_key_arn", "")):
            found.append(f"aws_dynamodb_table.{name}: not encrypted with a customer-managed KMS key")
    for name, group in blocks(doc, "resource", "aws_cloudwatch_log_group"):
        if "aws_kms_key." not in str(group.get("kms_key_id", "")):
            found.append(f"aws_cloudwatch_log_group.{name}: not encrypted with a customer-managed KMS key")
    for name, key in blocks(doc, "resource", "aws_kms_key"):
        if key.get("enable_key_rotation") is not True:
            found.append(f"aws_kms_key.{name}: key rotation off")
        if "aws_iam_policy_document" not in str(key.get("policy", "")):
            found.append(f"aws_kms_key.{name}: no explicit key policy (the default allows the whole account)")
    return found


def platform_violations(doc):
    found = []
    for name, fn in blocks(doc, "resource", "aws_lambda_function"):
        vpc = (fn.get("vpc_config") or [{}])[0]
        if not vpc.get("subnet_ids") or not vpc.get("security_group_ids"):
            found.append(f"aws_lambda_function.{name}: not in the VPC (vpc_config)")
        if "FINGERPRINT_KEY\"" in json.dumps(fn.get("environment", "")).replace("_SECRET_ARN", ""):
            found.append(f"aws_lambda_function.{name}: fingerprint key in plain environment")
    for name, svc in blocks(doc, "resource", "aws_ecs_service"):
        net = (svc.get("network_configuration") or [{}])[0]
        if net.get("assign_public_ip") is not False or not net.get("subnets"):
            found.append(f"aws_ecs_service.{name}: not in private subnets without a public IP")
    for type_ in ("aws_nat_gateway", "aws_internet_gateway", "aws_egress_only_internet_gateway", "aws_eip"):
        for name, _ in blocks(doc, "resource", type_):
            found.append(f"{type_}.{name}: a route to the internet for the stages")
    for name, cluster in blocks(doc, "resource", "aws_ecs_cluster"):
        if not any(s.get("name") == "containerInsights" and s.get("value") == "enabled"
                   for s in cluster.get("setting", [])):
            found.append(f"aws_ecs_cluster.{name}: Container Insights off")

    # The fingerprint key: one secret, the worker gets it through `secrets`.
    secrets = set()
    for type_ in ("aws_lambda_function", "aws_ecs_task_definition"):
        for _, body in blocks(doc, "resource", type_):
            secrets.update(re.findall(r"aws_secretsmanager_secret\.(\w+)", json.dumps(body)))
    if len(secrets) != 1:
        found.append(f"fingerprint key: the stages name {len(secrets)} secrets, not one")
    for name, task in blocks(doc, "resource", "aws_ecs_task_definition"):
        text = str(task.get("container_definitions", ""))
        if not re.search(r"secrets\s*=\s*\[\s*\{\s*name\s*=\s*\"TRAWL_FINGERPRINT_KEY\"\s*,\s*valueFrom", text):
            found.append(f"aws_ecs_task_definition.{name}: TRAWL_FINGERPRINT_KEY not injected from the secret")
    image = [body for parsed in doc.values() for body in parsed.get("variable", {}).get("worker_image", [])]
    if image and not any("sha256" in json.dumps(v) for b in image for v in b.get("validation", [])):
        found.append("variable.worker_image: not validated as a digest")
    # S3 invokes intake asynchronously: a last failure must land somewhere.
    for notification in [b for _, b in blocks(doc, "resource", "aws_s3_bucket_notification")]:
        for target in notification.get("lambda_function", []):
            fn = re.search(r"aws_lambda_function\.\w+(\[\"\w+\"\])?", str(target.get("lambda_function_arn")))
            configs = [b for _, b in blocks(doc, "resource", "aws_lambda_function_event_invoke_config")
                       if fn and fn.group(0) in str(b.get("function_name"))]
            if not any(b.get("destination_config", [{}])[0].get("on_failure") for b in configs):
                found.append(f"{fn.group(0) if fn else 'notification target'}: no on-failure destination")
    return found


class Resolver:
    """Values of the expression shapes this configuration uses, from the parsed HCL: locals
    (a jsondecode(file(...)) local reads that file beside check.py), variable defaults,
    each.key / each.value, indexing by literals or each.key, "${...}" templates and toset of
    a literal list. Anything else stays unresolved (None)."""

    JSON_FILE = re.compile(r'^\$\{jsondecode\(file\("\$\{path\.module\}/([\w.-]+)"\)\)\}$')
    WHOLE = re.compile(r"^\$\{([^${}]+)\}$")

    def __init__(self, doc):
        self.doc = doc
        self.locals = all_locals(doc)
        self.variables = {name: bodies[0] for parsed in doc.values()
                          for name, bodies in parsed.get("variable", {}).items()}

    def instances(self, body):
        """(each.key, each.value) of every instance of a resource block."""
        for_each = body.get("for_each")
        if for_each is None:
            return [(None, None)]
        value = self.value(for_each)
        if isinstance(value, dict):
            return list(value.items())
        if isinstance(value, list):
            return [(v, v) for v in value]
        return []

    def index(self, text, each_key, each_value):
        """The key an index expression (`"light"`, each.key, each.value.queue) names."""
        return self.value("${" + text + "}", each_key, each_value)

    def value(self, expr, each_key=None, each_value=None):
        if isinstance(expr, list):
            return [self.value(e, each_key, each_value) for e in expr]
        if isinstance(expr, dict):
            return {k: self.value(v, each_key, each_value) for k, v in expr.items()}
        if not isinstance(expr, str) or "${" not in expr:
            return expr
        m = self.JSON_FILE.match(expr)
        if m:
            with open(os.path.join(HERE, m.group(1))) as f:
                return json.load(f)
        m = self.WHOLE.match(expr)
        if m:
            return self.traverse(m.group(1).strip(), each_key, each_value)

        def text(m):
            v = self.traverse(m.group(1).strip(), each_key, each_value)
            return m.group(0) if v is None else str(v)
        return re.sub(r"\$\{([^${}]+)\}", text, expr)

    def traverse(self, ref, each_key, each_value):
        m = re.fullmatch(r'toset\(\[(.*)\]\)', ref, re.S)
        if m:
            return json.loads("[" + m.group(1) + "]")
        if ref.startswith('"') and ref.endswith('"'):
            return ref[1:-1]
        m = re.fullmatch(r"(local|var|each)((?:\.\w+|\[[^\]]+\])*)", ref)
        if not m:
            return None
        parts = re.findall(r"\.(\w+)|\[([^\]]+)\]", m.group(2))
        if m.group(1) == "each":
            if not parts or parts[0][0] not in ("key", "value"):
                return None
            current, parts = (each_key if parts[0][0] == "key" else each_value), parts[1:]
        elif m.group(1) == "var":
            variable = self.variables.get(parts[0][0]) if parts else None
            current, parts = (variable or {}).get("default"), parts[1:]
        else:
            current = self.locals
        for name, index in parts:
            if isinstance(current, str):  # "${local.other}" or a jsondecode(file(...))
                current = self.value(current, each_key, each_value)
            key = name or self.index(index, each_key, each_value)
            if isinstance(current, dict) and key in current:
                current = current[key]
            elif isinstance(current, list) and isinstance(key, int) and key < len(current):
                current = current[key]
            else:
                return None
        return self.value(current, each_key, each_value)


METRIC_MATH_FUNCTIONS = {"_ceil": lambda x: None if x is None else math.ceil(x),
                         "_fill": lambda x, v: v if x is None else x,
                         "_if": lambda c, a, b: a if c else b,
                         "_max": lambda *xs: max(xs[0] if len(xs) == 1 else xs),
                         "_min": lambda *xs: min(xs[0] if len(xs) == 1 else xs)}


def metric_math(expression, ids):
    """A CloudWatch metric-math expression of the alarms (CEIL, FILL, IF, MAX, MIN,
    arithmetic, comparisons, AND/OR) over the metric ids `ids`, as a function of one
    period's values ({id: value or None for no data point}) that returns None when the
    result has no data point (missing data, division by zero)."""
    names = {"CEIL": "_ceil", "FILL": "_fill", "IF": "_if", "MAX": "_max", "MIN": "_min",
             "AND": " and ", "OR": " or ", "&&": " and ", "||": " or "}
    out = []
    for token in re.findall(r"[A-Za-z_]\w*|\d+(?:\.\d+)?|==|!=|>=|<=|&&|\|\||\S", expression):
        if token in names:
            out.append(names[token])
        elif token in ids or re.fullmatch(r"\d+(?:\.\d+)?|==|!=|>=|<=|[-+*/(),<>\[\]]", token):
            out.append(token)
        else:
            raise ValueError(f"metric math: unknown token {token!r} in {expression!r}")
    code = compile("".join(out), "<metric math>", "eval")

    def evaluate(metrics):
        try:
            return eval(code, {"__builtins__": {}}, dict(METRIC_MATH_FUNCTIONS, **metrics))  # noqa: S307
        except (ZeroDivisionError, TypeError):
            return None
    return evaluate


COMPARE = {"GreaterThanThreshold": lambda v, t: v > t, "GreaterThanOrEqualToThreshold": lambda v, t: v >= t,
           "LessThanThreshold": lambda v, t: v < t, "LessThanOrEqualToThreshold": lambda v, t: v <= t}


def worker_scaling(doc, hcl):
    """The worker service's scalable target, and each (alarm, policy) pair that scales it:
    [(alarm where, alarm body, each.key, policy where, resolved step configuration)]."""
    targets = [(name, t) for name, t in blocks(doc, "resource", "aws_appautoscaling_target")
               if t.get("scalable_dimension") == "ecs:service:DesiredCount"]
    pairs = []
    policies = {}
    for name, policy in blocks(doc, "resource", "aws_appautoscaling_policy"):
        for key, value in hcl.instances(policy):
            config = (policy.get("step_scaling_policy_configuration") or [{}])[0]
            steps = []
            for step in config.get("step_adjustment", []):
                steps.append(hcl.value(step, key, value))
            for dyn in config.get("dynamic", {}).get("step_adjustment", []):
                for item in hcl.value(dyn.get("for_each"), key, value) or []:
                    content = json.loads(json.dumps(dyn.get("content", [{}])[0]).replace("step_adjustment.value", "each.value"))
                    steps.append(hcl.value(content, key, item))
            policies[(name, key)] = {
                "steps": [{"lower": s.get("metric_interval_lower_bound"), "upper": s.get("metric_interval_upper_bound"),
                           "change": s.get("scaling_adjustment")} for s in steps],
                "cooldown": hcl.value(config.get("cooldown"), key, value),
                "type": config.get("adjustment_type")}
    for name, alarm in blocks(doc, "resource", "aws_cloudwatch_metric_alarm"):
        for key, value in hcl.instances(alarm):
            for action in alarm.get("alarm_actions", []):
                m = re.search(r"aws_appautoscaling_policy\.(\w+)(?:\[([^\]]+)\])?", str(action))
                if not m:
                    continue
                pkey = hcl.index(m.group(2), key, value) if m.group(2) else None
                if (m.group(1), pkey) in policies:
                    pairs.append((f"aws_cloudwatch_metric_alarm.{name}[{key}]", alarm, key, value,
                                  f"aws_appautoscaling_policy.{m.group(1)}[{pkey}]", policies[(m.group(1), pkey)]))
    return targets, pairs


def alarm_decision(hcl, alarm, key, value, policy):
    """The capacity change one period makes through this alarm and policy, as a function of
    the period's metrics."""
    queries = list(alarm.get("metric_query", []))
    ids = set()
    for dyn in alarm.get("dynamic", {}).get("metric_query", []):
        ids.update((hcl.value(dyn.get("for_each"), key, value) or {}).keys())
    ids.update(hcl.value(q.get("id"), key, value) for q in queries if q.get("metric"))
    returned = [q for q in queries if q.get("expression") and q.get("return_data") is True]
    if not returned or policy["type"] != "ChangeInCapacity":
        return lambda metrics: 0
    evaluate = metric_math(hcl.value(returned[0]["expression"], key, value), ids)
    threshold = hcl.value(alarm.get("threshold"), key, value)
    compare = COMPARE.get(alarm.get("comparison_operator"))
    breaching = alarm.get("treat_missing_data") == "breaching"

    def decide(metrics):
        result = evaluate({i: metrics.get(i) for i in ids})
        fires = breaching if result is None else compare is not None and compare(result, threshold)
        if not fires or result is None:
            return 0
        return scaling.step_change(policy["steps"], result, threshold)
    return decide


def operations_violations(doc, hcl):
    """Rule group 14: the heavy tier scales from zero and back on its backlog, as scaling.py
    computes it from scaling.json; a warm pool by schedule; alarms for every dead-letter
    queue; Lambda concurrency bounded; a dashboard; component status writes are copies."""
    found = []
    policy = scaling.load()
    targets, pairs = worker_scaling(doc, hcl)
    if not targets:
        found.append("worker service: no Application Auto Scaling target (ecs:service:DesiredCount)")
    for name, target in targets:
        if hcl.value(target.get("min_capacity")) != 0:
            found.append(f"aws_appautoscaling_target.{name}: min_capacity is not 0 (no scale to zero)")
        if not isinstance(hcl.value(target.get("max_capacity")), (int, float)) or hcl.value(target.get("max_capacity")) < 1:
            found.append(f"aws_appautoscaling_target.{name}: max_capacity below 1")

    try:
        deciders = [alarm_decision(hcl, alarm, key, value, pol) for _, alarm, key, value, _, pol in pairs]
    except ValueError as e:
        return found + [f"worker scaling: {e}"]

    def decide(metrics):
        return [d(metrics) for d in deciders]
    if not any(change >= 1 for change in decide({"visible": 1, "in_flight": 0, "running": None})):
        found.append("worker scaling: no scale-out path from zero (one waiting message and no task scales nothing)")
    if not any(change <= -1 for change in decide({"visible": 0, "in_flight": 0, "running": 3})):
        found.append("worker scaling: idle workers never scale in")
    for busy in range(1, 9):
        if any(change < 0 for change in decide({"visible": 0, "in_flight": busy, "running": busy})):
            found.append(f"worker scaling: would stop busy tasks ({busy} running, {busy} messages in work)")
            break
    # The alarms compute what scaling.py computes from scaling.json, period for period.
    mismatch = None
    for visible in range(0, 41):
        for in_flight in range(0, 7):
            for running in [None] + list(range(0, 9)):
                metrics = {"visible": visible, "in_flight": in_flight, "running": running}
                got = sum(decide(metrics))
                want = scaling.step_change(policy["scale_out"]["steps"], scaling.shortfall(policy, visible, running)) + \
                    scaling.step_change(policy["scale_in"]["steps"], scaling.excess(policy, visible, in_flight, running))
                if got != want and mismatch is None:
                    mismatch = (metrics, got, want)
    if mismatch:
        found.append(f"worker scaling: the alarms and policies differ from scaling.py at {mismatch[0]}: "
                     f"change {mismatch[1]}, scaling.py {mismatch[2]}")
    for where, alarm, key, value, pwhere, pol in pairs:
        direction = "scale_out" if any((s["change"] or 0) > 0 for s in pol["steps"]) else "scale_in"
        periods = hcl.value(alarm.get("evaluation_periods"), key, value)
        if periods != policy[direction]["evaluation_periods"] or pol["cooldown"] != policy[direction]["cooldown_seconds"]:
            found.append(f"{where}/{pwhere}: evaluation periods or cooldown differ from scaling.json")

    # Warm pool: business hours raise the minimum to warm_pool_size, after hours back to 0.
    actions = [(key, value, a) for _, a in blocks(doc, "resource", "aws_appautoscaling_scheduled_action")
               for key, value in hcl.instances(a)]
    mins = set()
    for key, value, a in actions:
        act = (a.get("scalable_target_action") or [{}])[0]
        mins.add(hcl.value(act.get("min_capacity"), key, value))
        if not a.get("timezone") or not str(a.get("schedule", "")).startswith("cron("):
            found.append(f"scheduled action {key}: needs a cron schedule and a time zone")
    if not any("var.warm_pool_size" in json.dumps(a) for _, _, a in actions) or \
            hcl.value("${var.warm_pool_size}") not in mins:
        found.append("warm pool: no scheduled action raises the minimum to warm_pool_size")
    if 0 not in mins:
        found.append("warm pool: no scheduled action returns the minimum to 0 after hours")
    for name, svc in blocks(doc, "resource", "aws_ecs_service"):
        ignored = [c for lc in svc.get("lifecycle", []) for c in as_list(lc.get("ignore_changes", []))]
        if targets and not any("desired_count" in str(c) for c in ignored):
            found.append(f"aws_ecs_service.{name}: desired_count not in ignore_changes (apply would undo scaling)")
    for name, alarm in blocks(doc, "resource", "aws_cloudwatch_metric_alarm"):
        if alarm.get("metric_name") == "RunningTaskCount" and str(alarm.get("comparison_operator", "")).startswith("LessThan"):
            found.append(f"aws_cloudwatch_metric_alarm.{name}: alarms whenever the worker service is scaled to zero")

    # Every dead-letter queue alarms as soon as it holds a message.
    queues = dict(blocks(doc, "resource", "aws_sqs_queue"))
    dlqs = {m.group(1) for body in queues.values()
            for m in re.finditer(r"aws_sqs_queue\.(\w+)", str(body.get("redrive_policy", "")))}
    for dlq in sorted(dlqs):
        if not any(a.get("metric_name") == "ApproximateNumberOfMessagesVisible" and hcl.value(a.get("threshold")) == 0
                   and a.get("comparison_operator") == "GreaterThanThreshold"
                   and re.search(rf"aws_sqs_queue\.{dlq}\b", str(a.get("for_each", "")) + str(a.get("dimensions", "")))
                   for _, a in blocks(doc, "resource", "aws_cloudwatch_metric_alarm")):
            found.append(f"aws_sqs_queue.{dlq}: a dead-letter queue with no alarm on its messages")

    # Lambda concurrency: every function reserves its own, every SQS mapping stays below it.
    for name, fn in blocks(doc, "resource", "aws_lambda_function"):
        for key, value in hcl.instances(fn):
            if not isinstance(hcl.value(fn.get("reserved_concurrent_executions"), key, value), (int, float)):
                found.append(f"aws_lambda_function.{name}[{key}]: no reserved concurrency")
    for name, esm in blocks(doc, "resource", "aws_lambda_event_source_mapping"):
        for key, value in hcl.instances(esm):
            config = (esm.get("scaling_config") or [{}])[0]
            cap = hcl.value(config.get("maximum_concurrency"), key, value)
            fn = re.search(r"aws_lambda_function\.(\w+)\[([^\]]+)\]", str(esm.get("function_name")))
            fbody = dict(blocks(doc, "resource", "aws_lambda_function")).get(fn.group(1)) if fn else None
            reserved = None
            if fbody:
                fkey = hcl.index(fn.group(2), key, value)
                reserved = hcl.value(fbody.get("reserved_concurrent_executions"), fkey, None)
            if not isinstance(cap, (int, float)):
                found.append(f"aws_lambda_event_source_mapping.{name}[{key}]: no scaling_config.maximum_concurrency")
            elif isinstance(reserved, (int, float)) and cap > reserved:
                found.append(f"aws_lambda_event_source_mapping.{name}[{key}]: maximum_concurrency {cap} "
                             f"exceeds the function's reserved concurrency {reserved} (throttles)")

    # The dashboard shows every stage's queue depth and age, the dead-letter queues, the
    # worker tasks, the functions' duration, errors and throttles, and the packages reported.
    dashboards = [expand_locals(json.dumps(b), hcl.locals) for _, b in blocks(doc, "resource", "aws_cloudwatch_dashboard")]
    needed = ["ApproximateNumberOfMessagesVisible", "ApproximateAgeOfOldestMessage", "aws_sqs_queue.stage",
              "aws_sqs_queue.dlq", "RunningTaskCount", "Duration", "Errors", "Throttles", "aws_lambda_function.stage",
              "PackagesCompleted", "PackagesIncomplete"]
    if not dashboards:
        found.append("no CloudWatch dashboard")
    for item in needed:
        if dashboards and not any(item in d for d in dashboards):
            found.append(f"dashboard: does not show {item}")

    # Component status is written by copying the object onto itself with new metadata:
    # the stages that do it may not put other bytes there.
    marks = 0
    for name, body in blocks(doc, "data", "aws_iam_policy_document"):
        for st in statements(body):
            if st.get("sid") != "MarkComponentStatus":
                continue
            marks += 1
            conditions = {(c.get("variable"), json.dumps(c.get("values"))) for c in st.get("condition", [])}
            resources = as_list(st.get("resources"))
            if not any(v == "s3:x-amz-metadata-directive" and "REPLACE" in vals for v, vals in conditions) or \
                    not any(v == "s3:x-amz-copy-source" and "components/*" in vals for v, vals in conditions):
                found.append(f"data.aws_iam_policy_document.{name}: MarkComponentStatus is not limited to "
                             "metadata copies (a stage could overwrite components)")
            if len(resources) != 1 or not str(resources[0]).endswith("/packages/*/components/*"):
                found.append(f"data.aws_iam_policy_document.{name}: MarkComponentStatus beyond packages/*/components/*")
    if not marks:
        found.append("no stage may set component status (MarkComponentStatus)")
    # Scale-in must stop idle workers: a busy one protects itself through the ECS agent.
    if targets and not any(st.get("sid") == "ScaleInProtection" and "ecs:UpdateTaskProtection" in as_list(st.get("actions"))
                           for _, body in blocks(doc, "data", "aws_iam_policy_document") for st in statements(body)):
        found.append("worker: cannot protect a busy task from scale-in (ecs:UpdateTaskProtection)")
    # Classify routes by what the analyze function has, not the library's defaults alone.
    env = json.dumps(hcl.locals.get("stage_environment", {}))
    if "TRAWL_LIGHT_MAX_MEMORY_BYTES" not in env or "local.memory.analyze" not in env:
        found.append("stage environment: TRAWL_LIGHT_MAX_MEMORY_BYTES does not follow the analyze function's memory")
    return found


def self_test(doc):
    """Every rule must catch a violation seeded into the real configuration."""
    failures = 0
    seeds = 0

    def expect(label, mutate, needle):
        nonlocal failures, seeds
        seeds += 1
        d = copy.deepcopy(doc)
        mutate(d)
        if not any(needle in v for v in violations(d)):
            failures += 1
            print(f"self-test: {label}: not caught")

    def first(d, kind, type_, name):
        for parsed in d.values():
            if name in parsed.get(kind, {}).get(type_, {}):
                return parsed[kind][type_][name][0]
        raise KeyError(f"{kind}.{type_}.{name}")

    def drop(d, kind, type_, name):
        for parsed in d.values():
            parsed.get(kind, {}).get(type_, {}).pop(name, None)

    def add(d, kind, type_, name, body):
        next(iter(d.values())).setdefault(kind, {}).setdefault(type_, {})[name] = [body]

    def local(d, name):
        for parsed in d.values():
            for body in parsed.get("locals", []):
                if name in body:
                    return body
        raise KeyError(name)

    def statement(d, doc_name, sid):
        return next(st for st in statements(first(d, "data", "aws_iam_policy_document", doc_name))
                    if st.get("sid") == sid)

    res, data = "resource", "data"
    expect("queue without DLQ", lambda d: first(d, res, "aws_sqs_queue", "stage").pop("redrive_policy"),
           "no dead-letter queue")
    expect("short visibility", lambda d: local(d, "visibility").update(
        visibility={**local(d, "visibility")["visibility"], "light": 60}), "visibility 60 s")
    expect("no partial batch failures",
           lambda d: first(d, res, "aws_lambda_event_source_mapping", "stage").pop("function_response_types"),
           "ReportBatchItemFailures")
    expect("wildcard action", lambda d: statement(d, "stage", "ReadInputs").update(actions=["s3:*"]),
           "wildcard IAM action")
    expect("resource *", lambda d: statement(d, "stage", "PackageState").update(resources=["*"]),
           'resource "*" for dynamodb:UpdateItem')
    expect("NotAction", lambda d: statement(d, "stage", "ReadInputs").update(not_actions=["s3:DeleteObject"]),
           "not_actions")
    expect("NotResource in a JSON policy", lambda d: first(d, res, "aws_iam_role_policy", "worker_task").update(
        policy='{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","NotResource":"arn:aws:s3:::x/*"}]}'),
           "NotResource")
    expect("AdministratorAccess", lambda d: add(d, res, "aws_iam_role_policy_attachment", "admin", {
        "role": "${aws_iam_role.worker_task.name}", "policy_arn": "arn:aws:iam::aws:policy/AdministratorAccess"}),
           "managed policy")
    expect("managed_policy_arns", lambda d: first(d, res, "aws_iam_role", "worker_task").update(
        managed_policy_arns=["arn:aws:iam::aws:policy/AmazonS3FullAccess"]), "managed_policy_arns")
    expect("public principal", lambda d: first(d, data, "aws_iam_policy_document", "bucket")["statement"].append(
        {"actions": ["s3:GetObject"], "resources": ["x"], "principals": [{"type": "*", "identifiers": ["*"]}]}),
           'allows principal "*"')
    expect("public access block removed", lambda d: drop(d, res, "aws_s3_bucket_public_access_block", "store"),
           "aws_s3_bucket.store: no complete public access block")
    expect("public policy allowed", lambda d: first(d, res, "aws_s3_bucket_public_access_block", "audit").update(
        block_public_policy=False), "aws_s3_bucket.audit: no complete public access block")
    expect("encryption disabled", lambda d: first(d, res, "aws_s3_bucket_server_side_encryption_configuration",
                                                  "store")["rule"][0].update(
        apply_server_side_encryption_by_default=[{"sse_algorithm": "AES256"}]), "aws_s3_bucket.store: not encrypted")
    expect("aws/s3 key", lambda d: first(d, res, "aws_s3_bucket_server_side_encryption_configuration",
                                         "audit")["rule"][0].update(
        apply_server_side_encryption_by_default=[{"sse_algorithm": "aws:kms"}]), "aws_s3_bucket.audit: not encrypted")
    expect("no bucket keys", lambda d: first(d, res, "aws_s3_bucket_server_side_encryption_configuration",
                                             "store")["rule"][0].update(bucket_key_enabled=False),
           "aws_s3_bucket.store: not encrypted")
    expect("no bucket policy", lambda d: drop(d, res, "aws_s3_bucket_policy", "store"),
           "aws_s3_bucket.store: no bucket policy")
    expect("bucket allows plain HTTP", lambda d: first(d, data, "aws_iam_policy_document", "bucket").update(
        statement=[st for st in first(d, data, "aws_iam_policy_document", "bucket")["statement"]
                   if st.get("sid") != "DenyInsecureTransport"]), "aws_s3_bucket.store: bucket policy does not deny")
    expect("queue allows plain HTTP", lambda d: drop(d, res, "aws_sqs_queue_policy", "tls"),
           "aws_sqs_queue.dlq: no queue policy")
    expect("queue with SQS-managed keys", lambda d: first(d, res, "aws_sqs_queue", "stage").update(
        kms_master_key_id=None, sqs_managed_sse_enabled=True), "aws_sqs_queue.stage: not encrypted")
    expect("plans/ kept forever", lambda d: local(d, "expiring_prefixes")["expiring_prefixes"]["data"].pop("plans/"),
           "plans/ never expires")
    expect("no lifecycle", lambda d: drop(d, res, "aws_s3_bucket_lifecycle_configuration", "audit"),
           "aws_s3_bucket.audit: no lifecycle expiration")
    expect("reports unversioned", lambda d: first(d, res, "aws_s3_bucket_versioning", "store").update(
        versioning_configuration=[{"status": "Suspended"}]), "not versioned")
    expect("no TTL", lambda d: first(d, res, "aws_dynamodb_table", "packages").pop("ttl"), "no TTL")
    expect("table with the AWS key", lambda d: first(d, res, "aws_dynamodb_table", "packages").pop(
        "server_side_encryption"), "aws_dynamodb_table.packages: not encrypted")
    expect("plain log group", lambda d: first(d, res, "aws_cloudwatch_log_group", "worker").pop("kms_key_id"),
           "aws_cloudwatch_log_group.worker: not encrypted")
    expect("key rotation off", lambda d: first(d, res, "aws_kms_key", "data").update(enable_key_rotation=False),
           "key rotation off")
    expect("default key policy", lambda d: first(d, res, "aws_kms_key", "values").pop("policy"),
           "no explicit key policy")
    expect("key policy for the account root", lambda d: statement(d, "data_key", "Administer")["principals"][0].update(
        identifiers=["arn:aws:iam::111122223333:root"]), "account root")
    expect("kms:*", lambda d: statement(d, "values_key", "PipelineUse").update(actions=["kms:*"]),
           "wildcard IAM action 'kms:*'")
    expect("function outside the VPC", lambda d: first(d, res, "aws_lambda_function", "stage").pop("vpc_config"),
           "not in the VPC")
    expect("worker with a public IP", lambda d: first(d, res, "aws_ecs_service", "worker")[
        "network_configuration"][0].update(assign_public_ip=True), "without a public IP")
    expect("NAT gateway", lambda d: add(d, res, "aws_nat_gateway", "out", {"subnet_id": "x"}),
           "aws_nat_gateway.out")
    expect("internet gateway", lambda d: add(d, res, "aws_internet_gateway", "igw", {"vpc_id": "x"}),
           "aws_internet_gateway.igw")
    expect("key in plain environment", lambda d: first(d, res, "aws_lambda_function", "stage")["environment"][0].update(
        variables={"TRAWL_FINGERPRINT_KEY": "0123"}), "plain environment")
    expect("worker key not from the secret", lambda d: first(d, res, "aws_ecs_task_definition", "worker").update(
        container_definitions=first(d, res, "aws_ecs_task_definition", "worker")["container_definitions"].replace(
            "secrets = [", "environment_too = [")), "not injected from the secret")
    expect("two keys", lambda d: first(d, res, "aws_lambda_function", "stage")["environment"][0].update(
        variables="${{TRAWL_FINGERPRINT_KEY_SECRET_ARN = aws_secretsmanager_secret.other.arn}}"),
           "secrets, not one")
    expect("image by tag", lambda d: [b.pop("validation") for p in d.values()
                                      for b in p.get("variable", {}).get("worker_image", [])],
           "worker_image: not validated")
    expect("intake without on-failure destination",
           lambda d: drop(d, res, "aws_lambda_function_event_invoke_config", "intake"), "no on-failure destination")
    expect("Container Insights off", lambda d: first(d, res, "aws_ecs_cluster", "workers").pop("setting"),
           "Container Insights off")
    # Group 14: scaling, warm pool, alarms, concurrency, dashboard, component status.
    def variable(d, name):
        return next(p["variable"][name][0] for p in d.values() if name in p.get("variable", {}))

    def exprs(d):
        return local(d, "worker_expressions")["worker_expressions"]

    def no_throttles(d):
        body = local(d, "dashboard_widgets")
        body["dashboard_widgets"] = json.loads(json.dumps(body["dashboard_widgets"]).replace("Throttles", "Invocations"))
    expect("scaling target min 1", lambda d: first(d, res, "aws_appautoscaling_target", "worker").update(min_capacity=1),
           "min_capacity is not 0")
    expect("backlog per task divided by zero tasks", lambda d: exprs(d).update(
        scale_out="FILL(visible, 0) / FILL(running, 0) - ${local.scaling.backlog_per_task}"),
           "no scale-out path from zero")
    expect("scaling alarm not wired to its policy", lambda d: first(
        d, res, "aws_cloudwatch_metric_alarm", "worker_scaling").update(alarm_actions=["${var.alarm_topic_arn}"]),
           "no scale-out path from zero")
    expect("another backlog target than scaling.json", lambda d: local(d, "wanted_expression").update(
        wanted_expression="CEIL(FILL(visible, 0) / 3)"), "differ from scaling.py")
    expect("other steps than scaling.json", lambda d: first(d, res, "aws_appautoscaling_policy", "worker")[
        "step_scaling_policy_configuration"][0]["dynamic"]["step_adjustment"][0]["content"][0].update(
        scaling_adjustment=1), "differ from scaling.py")
    expect("scale-in of busy tasks", lambda d: exprs(d).update(scale_in="FILL(running, 0) - ${local.wanted_expression}"),
           "would stop busy tasks")
    expect("no scale-in", lambda d: first(d, res, "aws_appautoscaling_policy", "worker").update(
        for_each='${toset(["scale_out"])}'), "never scale in")
    expect("warm pool never ends", lambda d: first(d, res, "aws_appautoscaling_scheduled_action", "warm_pool")[
        "for_each"].pop("end"), "returns the minimum to 0")
    expect("no warm pool", lambda d: drop(d, res, "aws_appautoscaling_scheduled_action", "warm_pool"),
           "raises the minimum to warm_pool_size")
    expect("apply resets the worker count", lambda d: first(d, res, "aws_ecs_service", "worker").pop("lifecycle"),
           "ignore_changes")
    expect("no-worker alarm that fires at zero", lambda d: add(d, res, "aws_cloudwatch_metric_alarm", "old", {
        "metric_name": "RunningTaskCount", "comparison_operator": "LessThanThreshold", "threshold": 1}),
           "scaled to zero")
    expect("dead-letter queue without an alarm", lambda d: drop(d, res, "aws_cloudwatch_metric_alarm", "dlq_not_empty"),
           "no alarm on its messages")
    expect("no reserved concurrency", lambda d: first(d, res, "aws_lambda_function", "stage").pop(
        "reserved_concurrent_executions"), "no reserved concurrency")
    expect("no maximum concurrency", lambda d: first(d, res, "aws_lambda_event_source_mapping", "stage").pop(
        "scaling_config"), "maximum_concurrency")
    expect("maximum above reserved concurrency", lambda d: variable(d, "sqs_max_concurrency").update(
        default={"classify": 10, "analyze": 80, "aggregate": 5}), "exceeds the function's reserved")
    expect("dashboard without throttles", no_throttles, "dashboard: does not show Throttles")
    expect("status writes that could be any bytes", lambda d: statement(d, "stage", "MarkComponentStatus").pop(
        "condition"), "not limited to metadata copies")
    expect("status writes on all of packages/", lambda d: statement(d, "stage", "MarkComponentStatus").update(
        resources=["${local.data_arn}/packages/*"]), "beyond packages/*/components/*")
    expect("busy workers unprotected from scale-in", lambda d: statement(d, "stage", "ScaleInProtection").update(
        actions=["ecs:GetTaskProtection"]), "cannot protect a busy task")
    expect("classify blind to the analyze function's memory", lambda d: local(d, "stage_environment")[
        "stage_environment"].pop("TRAWL_LIGHT_MAX_MEMORY_BYTES"), "TRAWL_LIGHT_MAX_MEMORY_BYTES")
    print(f"self-test: {seeds - failures} of {seeds} seeded violations caught")
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
