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

variable "worker_count" {
  type    = number
  default = 1
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
