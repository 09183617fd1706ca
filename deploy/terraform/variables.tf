variable "region" {
  type    = string
  default = "eu-west-1"
}

variable "name" {
  description = "Prefix of every resource name"
  type        = string
  default     = "trawl"
}

variable "lambda_zip" {
  description = "The Lambda package built by examples/aws/packaging/package_lambda.sh"
  type        = string
  default     = "../../build/aws/trawl-lambda.zip"
}

variable "worker_image" {
  description = "The worker image (examples/aws/worker/Dockerfile) in ECR, by digest: <repository>@sha256:<64 hex>"
  type        = string
  validation {
    condition     = can(regex("^[a-z0-9.-]+/[a-z0-9._/-]+@sha256:[0-9a-f]{64}$", var.worker_image))
    error_message = "worker_image must name the image by digest (repository@sha256:...), never by tag."
  }
}

# The heavy tier scales from zero on its backlog (scaling.tf, scaling.json).
variable "worker_max_count" {
  description = "Most worker tasks at once"
  type        = number
  default     = 10
  validation {
    condition     = var.worker_max_count >= 1
    error_message = "worker_max_count must be at least 1."
  }
}

# A warm pool during business hours: no cold start for the first heavy component of the
# day; zero tasks outside them.
variable "warm_pool_size" {
  description = "Worker tasks kept running during business hours (0: scale to zero always)"
  type        = number
  default     = 1
  validation {
    condition     = var.warm_pool_size >= 0
    error_message = "warm_pool_size cannot be negative."
  }
}

variable "warm_pool_timezone" {
  description = "IANA time zone of the business hours"
  type        = string
  default     = "Europe/Dublin"
}

variable "warm_pool_days" {
  description = "Business days, as a cron day-of-week field"
  type        = string
  default     = "MON-FRI"
  validation {
    condition     = can(regex("^(MON|TUE|WED|THU|FRI|SAT|SUN)([-,](MON|TUE|WED|THU|FRI|SAT|SUN))*$", var.warm_pool_days))
    error_message = "warm_pool_days is a cron day-of-week field, e.g. MON-FRI or MON,WED,FRI."
  }
}

variable "warm_pool_start_hour" {
  type    = number
  default = 8
  validation {
    condition     = var.warm_pool_start_hour >= 0 && var.warm_pool_start_hour <= 23
    error_message = "warm_pool_start_hour is an hour, 0 to 23."
  }
}

variable "warm_pool_end_hour" {
  type    = number
  default = 18
  validation {
    condition     = var.warm_pool_end_hour >= 1 && var.warm_pool_end_hour <= 23
    error_message = "warm_pool_end_hour is an hour, 1 to 23."
  }
}

# A burst must not take the whole account's Lambda concurrency, nor be starved by others:
# each function has concurrency of its own, and each SQS event source mapping polls with at
# most that many invocations (so it never meets throttles).
variable "lambda_reserved_concurrency" {
  type    = map(number)
  default = { intake = 10, classify = 10, analyze = 40, aggregate = 5 }
}

variable "sqs_max_concurrency" {
  description = "scaling_config.maximum_concurrency of each SQS event source mapping (2 to 1000, at most the function's reserved concurrency)"
  type        = map(number)
  default     = { classify = 10, analyze = 40, aggregate = 5 }
  validation {
    condition     = alltrue([for v in values(var.sqs_max_concurrency) : v >= 2 && v <= 1000])
    error_message = "maximum_concurrency is 2 to 1000."
  }
}

variable "alarm_topic_arn" {
  description = "SNS topic the alarms notify"
  type        = string
}

# Who may touch the data. The bucket policy denies every other principal, the KMS key
# policy grants no one else; the pipeline's own roles are added by this configuration.
variable "admin_arns" {
  description = "Roles that administer the bucket and keys (the one running Terraform among them); they get no data access"
  type        = list(string)
}

variable "report_reader_arns" {
  description = "Roles that may read reports/ (redacted reports)"
  type        = list(string)
  default     = []
}

variable "uploader_arns" {
  description = "Roles that may put packages under incoming/"
  type        = list(string)
  default     = []
}

variable "status_reader_arns" {
  description = "Roles that run `trawl-aws status`: they read packages/ (manifests, and the components' status by HEAD, which S3 grants with GetObject: the raw input) and need dynamodb:GetItem on the table in their own policy"
  type        = list(string)
  default     = []
}

variable "include_values" {
  description = "Keep finding values: results and a report with values go to a bucket of their own, under their own key"
  type        = bool
  default     = false
}

variable "value_reader_arns" {
  description = "Roles that may read the values bucket's reports (include_values only)"
  type        = list(string)
  default     = []
}

variable "create_fingerprint_key_value" {
  description = "Generate the fingerprint key (32 random bytes) here; it is then in the Terraform state. false: put it out of band (docs/security.md)"
  type        = bool
  default     = true
}

# Retention. Once reported, a package's intermediates are deleted by the pipeline; these
# expire what a failure leaves, and old report versions.
variable "incoming_expiry_days" {
  type    = number
  default = 2
}

variable "intermediate_expiry_days" {
  description = "packages/, plans/, results/ (after the report: days)"
  type        = number
  default     = 2
}

variable "report_noncurrent_expiry_days" {
  description = "How long overwritten or deleted report versions are kept"
  type        = number
  default     = 90
}

variable "state_ttl_days" {
  description = "DynamoDB items expire after this (TTL on expires_at); keep it above the queues' retention"
  type        = number
  default     = 30
}

# Network: a VPC with no internet route (no NAT, no internet gateway); S3, SQS, DynamoDB
# and the other services are reached through VPC endpoints. Set vpc_id, subnet_ids and
# route_table_ids to place the pipeline in an existing VPC instead.
variable "vpc_id" {
  type    = string
  default = null
}

variable "subnet_ids" {
  description = "Private subnets (existing VPC only)"
  type        = list(string)
  default     = []
}

variable "route_table_ids" {
  description = "Route tables of subnet_ids, for the S3 and DynamoDB gateway endpoints (existing VPC only)"
  type        = list(string)
  default     = []
}

variable "vpc_cidr" {
  type    = string
  default = "10.42.0.0/16"
}

variable "availability_zones" {
  type    = list(string)
  default = ["eu-west-1a", "eu-west-1b"]
}
