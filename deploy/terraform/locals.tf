locals {
  # Function timeouts in seconds. SQS visibility must be at least six times the timeout of
  # the function consuming the queue (AWS's guidance for Lambda event source mappings);
  # check.py enforces it.
  timeouts = {
    intake    = 300
    classify  = 60
    analyze   = 300
    aggregate = 120
  }
  memory = {
    intake    = 1024
    classify  = 1024
    analyze   = 3008
    aggregate = 1024
  }
  worker_memory = 16384
  visibility = {
    classify  = 360
    light     = 1800
    heavy     = 900
    aggregate = 720
  }
  max_receive_count = 3
  queues            = ["classify", "light", "heavy", "aggregate"]
  # Classify and analyze hold a component in memory: intake caps components at a quarter
  # of the smallest memory that must hold one (docs/hosts.md, "Limits").
  max_component_bytes = floor(min(local.memory.classify, local.memory.analyze, local.worker_memory) / 4) * 1048576
}
