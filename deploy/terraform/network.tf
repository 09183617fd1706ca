# The functions and the worker parse hostile packages: they run in private subnets with no
# route to the internet (no NAT gateway, no internet gateway). AWS services are reached
# through VPC endpoints, whose ids the bucket policy and the stage policies require
# (aws:SourceVpce). check.py fails on any NAT or internet gateway and on a function or
# service outside the VPC.
locals {
  create_vpc      = var.vpc_id == null
  vpc_id          = local.create_vpc ? aws_vpc.pipeline[0].id : var.vpc_id
  subnet_ids      = local.create_vpc ? aws_subnet.private[*].id : var.subnet_ids
  route_table_ids = local.create_vpc ? [aws_route_table.private[0].id] : var.route_table_ids
  # Interface endpoints: SQS and Secrets Manager for the stages; ECR, CloudWatch Logs for
  # the Fargate task (image pull, awslogs); S3 and DynamoDB are gateway endpoints.
  # ecs: the worker's task scale-in protection (UpdateTaskProtection through the agent).
  interface_endpoints = ["sqs", "secretsmanager", "logs", "ecr.api", "ecr.dkr", "ecs"]
}

resource "aws_vpc" "pipeline" {
  count                = local.create_vpc ? 1 : 0
  cidr_block           = var.vpc_cidr
  enable_dns_support   = true
  enable_dns_hostnames = true
  tags                 = { Name = "${var.name}-pipeline" }
}

resource "aws_subnet" "private" {
  count                   = local.create_vpc ? length(var.availability_zones) : 0
  vpc_id                  = aws_vpc.pipeline[0].id
  availability_zone       = var.availability_zones[count.index]
  cidr_block              = cidrsubnet(var.vpc_cidr, 4, count.index)
  map_public_ip_on_launch = false
  tags                    = { Name = "${var.name}-private-${count.index}" }
}

resource "aws_route_table" "private" {
  count  = local.create_vpc ? 1 : 0
  vpc_id = aws_vpc.pipeline[0].id
  tags   = { Name = "${var.name}-private" }
}

resource "aws_route_table_association" "private" {
  count          = local.create_vpc ? length(var.availability_zones) : 0
  subnet_id      = aws_subnet.private[count.index].id
  route_table_id = aws_route_table.private[0].id
}

# The stages only open HTTPS connections to the endpoints.
resource "aws_security_group" "stages" {
  name        = "${var.name}-stages"
  description = "trawl functions and worker: HTTPS to the VPC endpoints only"
  vpc_id      = local.vpc_id
}

resource "aws_vpc_security_group_egress_rule" "to_endpoints" {
  security_group_id            = aws_security_group.stages.id
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  referenced_security_group_id = aws_security_group.endpoints.id
}

resource "aws_vpc_security_group_egress_rule" "to_gateways" {
  for_each          = { s3 = aws_vpc_endpoint.s3.prefix_list_id, dynamodb = aws_vpc_endpoint.dynamodb.prefix_list_id }
  security_group_id = aws_security_group.stages.id
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  prefix_list_id    = each.value
}

resource "aws_security_group" "endpoints" {
  name        = "${var.name}-endpoints"
  description = "trawl VPC interface endpoints: HTTPS from the stages"
  vpc_id      = local.vpc_id
}

resource "aws_vpc_security_group_ingress_rule" "from_stages" {
  security_group_id            = aws_security_group.endpoints.id
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  referenced_security_group_id = aws_security_group.stages.id
}

resource "aws_vpc_endpoint" "s3" {
  vpc_id            = local.vpc_id
  service_name      = "com.amazonaws.${var.region}.s3"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = local.route_table_ids
}

resource "aws_vpc_endpoint" "dynamodb" {
  vpc_id            = local.vpc_id
  service_name      = "com.amazonaws.${var.region}.dynamodb"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = local.route_table_ids
}

resource "aws_vpc_endpoint" "interface" {
  for_each            = toset(local.interface_endpoints)
  vpc_id              = local.vpc_id
  service_name        = "com.amazonaws.${var.region}.${each.key}"
  vpc_endpoint_type   = "Interface"
  subnet_ids          = local.subnet_ids
  security_group_ids  = [aws_security_group.endpoints.id]
  private_dns_enabled = true
}
