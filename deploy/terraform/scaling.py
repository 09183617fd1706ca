"""The heavy tier's scaling rule, as Application Auto Scaling applies the policies of
scaling.tf, from the numbers in scaling.json (the one source both read).

Metrics, each period (CloudWatch's, or the local queue's in the burst test):
  visible    the heavy queue's ApproximateNumberOfMessagesVisible (waiting work)
  in_flight  its ApproximateNumberOfMessagesNotVisible (work a worker holds)
  running    the worker service's RunningTaskCount (Container Insights)
Missing data counts as 0 (FILL(m, 0) in the alarms: no task, no metric).

  wanted    = ceil(visible / backlog_per_task)
  shortfall = wanted - running           > 0: backlog per task above target (or no task)
  excess    = running - max(wanted, in_flight)   > 0: idle tasks nobody needs

The scale-out alarm fires when shortfall > 0 for its evaluation periods and its policy
adds the step's change; the scale-in alarm likewise on excess > 0, removing. Both are
ChangeInCapacity steps on the service's desired count, clamped to [min, max], with the
policies' cooldowns. `shortfall > 0` is exactly `visible / running > backlog_per_task`
for running > 0 (running is whole), and stays defined at zero tasks: one waiting message
wakes a scaled-to-zero service.

    python3 scaling.py VISIBLE IN_FLIGHT RUNNING [DESIRED]   # what one period decides
"""
import json
import math
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DAYS = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"]


def load(path=os.path.join(HERE, "scaling.json")):
    with open(path) as f:
        return json.load(f)


def fill(value):
    return 0 if value is None else value


def wanted(policy, visible):
    return math.ceil(fill(visible) / policy["backlog_per_task"])


def shortfall(policy, visible, running):
    return wanted(policy, visible) - fill(running)


def excess(policy, visible, in_flight, running):
    return fill(running) - max(wanted(policy, visible), fill(in_flight))


def step_change(steps, value, threshold=0):
    """The change a step policy applies for a metric value above its alarm's threshold (0
    when the alarm would not fire). Step bounds are offsets above the threshold, lower
    inclusive, upper exclusive, None open: Application Auto Scaling's rule."""
    if value <= threshold:
        return 0
    offset = value - threshold
    for step in steps:
        if step["lower"] <= offset and (step["upper"] is None or offset < step["upper"]):
            return step["change"]
    return 0


class Scaler:
    """Application Auto Scaling's step-scaling behaviour, one period at a time: alarms in
    ALARM invoke their policy every period; during a scale-out cooldown a further scale-out
    only tops up to (capacity when it began + the new change); scale-in waits out both
    cooldowns; a scale-out ends a scale-in cooldown."""

    def __init__(self, policy, desired=0):
        self.policy = policy
        self.desired = desired
        self.out_breaches = 0
        self.in_breaches = 0
        self.out_cooldown_until = -math.inf
        self.out_base = 0
        self.in_cooldown_until = -math.inf

    def tick(self, now, visible, in_flight, running, minimum, maximum):
        """The desired count after the period ending at `now` (seconds)."""
        out_cfg, in_cfg = self.policy["scale_out"], self.policy["scale_in"]
        short = shortfall(self.policy, visible, running)
        idle = excess(self.policy, visible, in_flight, running)
        self.out_breaches = self.out_breaches + 1 if short > 0 else 0
        self.in_breaches = self.in_breaches + 1 if idle > 0 else 0
        desired = max(minimum, min(maximum, self.desired))  # a scheduled min/max applies at once
        if self.out_breaches >= out_cfg["evaluation_periods"]:
            change = step_change(out_cfg["steps"], short)
            if now < self.out_cooldown_until:
                target = max(desired, self.out_base + change)
            else:
                self.out_base = desired
                target = desired + change
            target = min(maximum, target)
            if target > desired:
                if now >= self.out_cooldown_until:
                    self.out_cooldown_until = now + out_cfg["cooldown_seconds"]
                self.in_cooldown_until = -math.inf
                desired = target
        elif (self.in_breaches >= in_cfg["evaluation_periods"] and now >= self.in_cooldown_until
              and now >= self.out_cooldown_until):
            target = max(minimum, desired + step_change(in_cfg["steps"], idle))
            if target < desired:
                self.in_cooldown_until = now + in_cfg["cooldown_seconds"]
                desired = target
        self.desired = desired
        return desired


def business_days(spec):
    """Cron day-of-week field ("MON-FRI", "MON,WED,FRI", "SAT-SUN") -> set of weekday
    numbers (Monday 0)."""
    days = set()
    for part in spec.upper().split(","):
        first, _, last = part.partition("-")
        a = DAYS.index(first)
        b = DAYS.index(last) if last else a
        days.update(range(a, b + 1) if a <= b else list(range(a, 7)) + list(range(0, b + 1)))
    return days


def warm_pool_minimum(now_utc, timezone, days, start_hour, end_hour, size):
    """The service's minimum capacity at `now_utc` under the two scheduled actions: `size`
    from start_hour on each business day until end_hour, 0 otherwise."""
    from zoneinfo import ZoneInfo
    local = now_utc.astimezone(ZoneInfo(timezone))
    in_hours = local.weekday() in business_days(days) and start_hour <= local.hour < end_hour
    return size if in_hours else 0


def cron(hour, days):
    """The scheduled action's expression, as scaling.tf builds it."""
    return f"cron(0 {hour} ? * {days} *)"


def main():
    args = [int(a) for a in sys.argv[1:]]
    if len(args) not in (3, 4):
        print(__doc__.strip().splitlines()[-1].strip(), file=sys.stderr)
        return 2
    policy = load()
    visible, in_flight, running = args[:3]
    scaler = Scaler(policy, args[3] if len(args) == 4 else running)
    print(f"wanted {wanted(policy, visible)}, shortfall {shortfall(policy, visible, running)}, "
          f"excess {excess(policy, visible, in_flight, running)}; desired after one period: "
          f"{scaler.tick(0, visible, in_flight, running, 0, 1 << 20)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
