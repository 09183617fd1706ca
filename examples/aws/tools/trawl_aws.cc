// trawl-aws: operator commands for the AWS pipeline. One for now:
//
//   trawl-aws status PACKAGE_ID [--json]
//
// prints a package's progress from both records: the DynamoDB item (the package-level
// record: components to analyse, those recorded done or failed, the completion claim, the
// report key) and, while the package's intermediates exist, each component object's status
// in its S3 user metadata (pending / analysed / failed / skipped, attempts, the stage that
// set it, the result key or the last error type). Once a package is reported its
// intermediates are deleted; the per-component outcome then comes from DynamoDB alone
// (docs/hosts.md, "Component status").
//
// Build: part of trawl's CMake build (target trawl_aws_tool -> build/aws/trawl-aws).
// Usage: TRAWL_BUCKET=... TRAWL_TABLE=... AWS_REGION=... trawl-aws status <package id>
//   Needs dynamodb:GetItem on the table and s3:GetObject on packages/<id>/* (manifest and
//   HEAD of each component), which Terraform grants to status_reader_arns.
// Exit: 0 the package is known, 1 it is not (or a call failed), 2 usage.
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include "host/aws.h"
#include "host/json.h"
#include "host/validate.h"
#include "trawl/trawl.h"

namespace {

using trawl_host::Aws;
using trawl_host::AwsResult;
using trawl_host::JsonDoc;
using trawl_host::JsonQuote;
using trawl_host::ObjectMetadata;

std::string Env(const char* name, const std::string& fallback = "") {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::string(v) : fallback;
}

struct ComponentStatus {
  std::string id, path, status, attempts, stage, result_key, error;
  int64_t size = -1;
};

std::string Value(const ObjectMetadata& metadata, const std::string& name) {
  for (const auto& [k, v] : metadata) {
    if (k == name) return v;
  }
  return "";
}

int Usage(FILE* out) {
  std::fprintf(out,
               "usage: trawl-aws status PACKAGE_ID [--json]\n"
               "  environment: TRAWL_BUCKET (required), TRAWL_TABLE (trawl-packages), AWS_REGION,\n"
               "  AWS_ENDPOINT_URL_*; credentials as for the hosts (docs/hosts.md)\n");
  return 2;
}

int Status(const std::string& pid, bool json) {
  const std::string bucket = Env("TRAWL_BUCKET");
  const std::string table = Env("TRAWL_TABLE", "trawl-packages");
  if (bucket.empty()) {
    std::fprintf(stderr, "trawl-aws: set TRAWL_BUCKET to the pipeline's bucket\n");
    return 2;
  }
  if (!trawl_host::IsPackageId(pid)) {
    std::fprintf(stderr, "trawl-aws: '%s' is not a package id (64 lowercase hex digits)\n",
                 pid.c_str());
    return 2;
  }
  Aws aws;
  AwsResult item = aws.Dynamo("GetItem", "{\"TableName\":" + JsonQuote(table) +
                                             ",\"Key\":{\"package_id\":{\"S\":" + JsonQuote(pid) +
                                             "}},\"ConsistentRead\":true}");
  if (!item.ok) {
    std::fprintf(stderr, "trawl-aws: DynamoDB GetItem: %s\n", item.message.c_str());
    return 1;
  }
  JsonDoc doc(item.body);
  const bool known = doc.Raw("/Item").has_value();
  const int64_t total = doc.Int("/Item/total_components/N").value_or(-1);
  const std::vector<std::string> completed = doc.Strings("/Item/completed_components/SS");
  const std::vector<std::string> failed = doc.Strings("/Item/failed_components/SS");
  const std::string report_key = doc.String("/Item/report_key/S").value_or("");
  const std::string name = doc.String("/Item/package_name/S").value_or("");
  const bool claimed = doc.String("/Item/aggregation_claimed_by/S").has_value();
  const bool sent = doc.Bool("/Item/completion_sent/BOOL").value_or(false);

  // The component objects, while the manifest exists.
  AwsResult manifest = aws.GetObject(bucket, "packages/" + pid + "/manifest.json");
  if (!manifest.ok && manifest.code != "NoSuchKey") {
    std::fprintf(stderr, "trawl-aws: manifest: %s\n", manifest.message.c_str());
    return 1;
  }
  std::vector<ComponentStatus> components;
  const char* source = "dynamodb";
  if (manifest.ok) {
    source = "s3";
    JsonDoc m(manifest.body);
    // Which components need a result: a missing object is lost only for those (intake
    // stores no object for expanded containers, directories or links).
    std::set<std::string> work;
    trawl_buffer* raw = nullptr;
    trawl_error err = TRAWL_ERROR_INIT;
    if (trawl_manifest_work(&raw, manifest.body.data(), manifest.body.size(), &err) == TRAWL_OK) {
      JsonDoc w(std::string(trawl_buffer_data(raw), trawl_buffer_size(raw)));
      const size_t count = w.ArraySize("/components").value_or(0);
      for (size_t i = 0; i < count; ++i) {
        work.insert(w.String("/components/" + std::to_string(i) + "/id").value_or(""));
      }
    }
    trawl_buffer_free(raw);
    const size_t n = m.ArraySize("/components").value_or(0);
    for (size_t i = 0; i < n; ++i) {
      const std::string p = "/components/" + std::to_string(i);
      ComponentStatus c;
      c.id = m.String(p + "/id").value_or("");
      c.path = m.String(p + "/path").value_or("");
      c.size = m.Int(p + "/size").value_or(-1);
      if (!trawl_host::IsComponentId(c.id)) continue;
      ObjectMetadata metadata;
      AwsResult head = aws.HeadObject(bucket, "packages/" + pid + "/components/" + c.id, &metadata);
      if (head.ok) {
        c.status = Value(metadata, "trawl-status");
        c.attempts = Value(metadata, "trawl-attempts");
        c.stage = Value(metadata, "trawl-stage");
        c.result_key = Value(metadata, "trawl-result-key");
        c.error = Value(metadata, "trawl-error");
        if (c.status.empty()) c.status = "unknown";
      } else if (head.code == "NoSuchKey") {
        c.status = work.count(c.id) > 0 ? "missing" : "not stored";
      } else {
        std::fprintf(stderr, "trawl-aws: HEAD %s: %s\n", c.id.c_str(), head.message.c_str());
        return 1;
      }
      components.push_back(std::move(c));
    }
  } else {
    // Reported and deleted (or never taken in): the package-level record's sets.
    for (const auto* ids : {&completed, &failed}) {
      for (const std::string& id : *ids) {
        ComponentStatus c;
        c.id = id;
        c.status = ids == &completed ? "analysed" : "failed";
        components.push_back(std::move(c));
      }
    }
  }

  const std::set<std::string> done(completed.begin(), completed.end());
  std::set<std::string> all = done;
  all.insert(failed.begin(), failed.end());
  std::string state = "unknown";
  if (!report_key.empty()) {
    state = "reported";
  } else if (claimed || sent) {
    state = "aggregating";
  } else if (known) {
    state = "analysing";
  } else if (manifest.ok) {
    state = "ingesting";  // intake wrote the manifest, not yet the item
  }

  if (json) {
    std::string out = "{\"package_id\":" + JsonQuote(pid) + ",\"package_name\":" + JsonQuote(name) +
                      ",\"state\":" + JsonQuote(state) + ",\"total_components\":" +
                      std::to_string(total) + ",\"recorded\":" + std::to_string(all.size()) +
                      ",\"failed\":" + std::to_string(failed.size()) +
                      ",\"completion_sent\":" + (sent ? "true" : "false") +
                      ",\"report_key\":" + JsonQuote(report_key) +
                      ",\"component_source\":" + JsonQuote(source) + ",\"components\":[";
    for (size_t i = 0; i < components.size(); ++i) {
      const ComponentStatus& c = components[i];
      out += std::string(i ? "," : "") + "{\"id\":" + JsonQuote(c.id) + ",\"path\":" +
             JsonQuote(c.path) + ",\"size\":" + std::to_string(c.size) + ",\"status\":" +
             JsonQuote(c.status) + ",\"attempts\":" + JsonQuote(c.attempts) + ",\"stage\":" +
             JsonQuote(c.stage) + ",\"result_key\":" + JsonQuote(c.result_key) + ",\"error\":" +
             JsonQuote(c.error) + "}";
    }
    std::printf("%s]}\n", out.c_str());
  } else {
    std::printf("package    %s%s\n", pid.c_str(), name.empty() ? "" : ("  " + name).c_str());
    std::printf("state      %s%s\n", state.c_str(),
                report_key.empty() ? "" : ("  s3://" + bucket + "/" + report_key).c_str());
    if (known) {
      std::printf("dynamodb   %zu of %lld components recorded (%zu failed)%s\n", all.size(),
                  static_cast<long long>(total), failed.size(),
                  sent ? ", completion sent" : claimed ? ", completion claimed" : "");
    } else {
      std::printf("dynamodb   no item\n");
    }
    std::printf("components %s\n", manifest.ok
                                       ? "from their S3 objects' metadata"
                                       : "from DynamoDB (intermediates deleted once reported, "
                                         "or not taken in)");
    for (const ComponentStatus& c : components) {
      std::string detail = !c.result_key.empty() ? c.result_key : c.error;
      std::printf("  %s  %-9s %s%s%s%s%s\n", c.id.c_str(), c.status.c_str(),
                  c.attempts.empty() ? "" : ("attempts " + c.attempts + "  ").c_str(),
                  c.stage.empty() ? "" : (c.stage + "  ").c_str(), detail.c_str(),
                  c.path.empty() ? "" : "  ", c.path.c_str());
    }
  }
  return known || manifest.ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
    Usage(stdout);
    return 0;
  }
  bool json = false;
  std::vector<std::string> positional;
  for (const std::string& a : args) {
    if (a == "--json") {
      json = true;
    } else {
      positional.push_back(a);
    }
  }
  if (positional.size() != 2 || positional[0] != "status") return Usage(stderr);
  return Status(positional[1], json);
}
