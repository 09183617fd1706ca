#!/usr/bin/env python3
"""Unit tests of the heavy tier's scaling arithmetic (scaling.py) on the numbers of
scaling.json, which scaling.tf reads too; check.py verifies that the Terraform alarms
compute the same thing (ctest TerraformChecks).

    python3 -m unittest deploy/terraform/scaling_test.py
"""
import datetime
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import scaling  # noqa: E402

POLICY = scaling.load()
T = POLICY["backlog_per_task"]
UTC = datetime.timezone.utc


def run(scaler, periods, visible, in_flight, running, minimum=0, maximum=10, start=0):
    """Ticks `periods` periods of 60 s with the same metrics; the last desired count."""
    period = POLICY["period_seconds"]
    for i in range(periods):
        desired = scaler.tick(start + i * period, visible, in_flight, running, minimum, maximum)
    return desired


class Arithmetic(unittest.TestCase):
    def test_one_message_wakes_a_service_scaled_to_zero(self):
        self.assertEqual(scaling.shortfall(POLICY, 1, 0), 1)
        self.assertEqual(scaling.Scaler(POLICY).tick(0, 1, 0, 0, 0, 10), 1)
        # Missing metrics (no task publishes RunningTaskCount) count as zero.
        self.assertEqual(scaling.Scaler(POLICY).tick(0, 1, None, None, 0, 10), 1)

    def test_shortfall_is_backlog_per_task_above_target(self):
        for running in range(1, 25):
            for visible in range(0, 200):
                self.assertEqual(scaling.shortfall(POLICY, visible, running) > 0, visible / running > T,
                                 (visible, running))

    def test_at_target_nothing_changes(self):
        scaler = scaling.Scaler(POLICY, desired=2)
        self.assertEqual(run(scaler, 20, visible=2 * T, in_flight=2, running=2), 2)

    def test_steps_grow_with_the_shortfall_and_stop_at_max(self):
        expected = {1: 1, 2: 2, 3: 2, 4: 4, 7: 4, 8: 8, 100: 8}
        for short, change in expected.items():
            self.assertEqual(scaling.step_change(POLICY["scale_out"]["steps"], short), change, short)
        self.assertEqual(scaling.step_change(POLICY["scale_out"]["steps"], 0), 0)
        self.assertEqual(scaling.Scaler(POLICY, desired=1).tick(0, 1000, 1, 1, 0, 5), 5)

    def test_steps_are_contiguous_and_signed(self):
        # Application Auto Scaling refuses gaps and overlaps; the first step starts at the
        # threshold, so a shortfall of one task (one message at zero tasks) scales out.
        for name, sign in (("scale_out", 1), ("scale_in", -1)):
            steps = POLICY[name]["steps"]
            self.assertEqual(steps[0]["lower"], 0, name)
            self.assertIsNone(steps[-1]["upper"], name)
            for a, b in zip(steps, steps[1:]):
                self.assertEqual(a["upper"], b["lower"], name)
            self.assertTrue(all(s["change"] * sign > 0 for s in steps), name)

    def test_cooldown_tops_up_instead_of_adding_again(self):
        scaler = scaling.Scaler(POLICY)
        self.assertEqual(scaler.tick(0, 20, 0, 0, 0, 20), 8)  # shortfall 10: +8
        # Tasks still starting (running 0): within the cooldown the same shortfall adds
        # nothing more; a bigger one tops up to base + its change only.
        self.assertEqual(scaler.tick(60, 20, 0, 0, 0, 20), 8)
        self.assertEqual(scaler.tick(90, 60, 0, 2, 0, 20), 8)
        cooldown = POLICY["scale_out"]["cooldown_seconds"]
        self.assertEqual(scaler.tick(cooldown, 60, 0, 8, 0, 20), 16)  # shortfall 22: +8

    def test_scale_in_waits_and_never_takes_busy_tasks(self):
        periods = POLICY["scale_in"]["evaluation_periods"]
        scaler = scaling.Scaler(POLICY, desired=6)
        self.assertEqual(run(scaler, periods - 1, visible=0, in_flight=0, running=6), 6)
        self.assertEqual(run(scaler, 1, visible=0, in_flight=0, running=6, start=600), 4)  # excess 6: -2
        # Every task holds a message: nothing is idle, nothing goes.
        scaler = scaling.Scaler(POLICY, desired=3)
        self.assertEqual(run(scaler, 3 * periods, visible=0, in_flight=3, running=3), 3)
        self.assertEqual(scaling.excess(POLICY, 0, 3, 3), 0)

    def test_scale_in_stops_at_the_warm_pool(self):
        scaler = scaling.Scaler(POLICY, desired=3)
        self.assertEqual(run(scaler, 40, visible=0, in_flight=0, running=3, minimum=2), 2)
        scaler = scaling.Scaler(POLICY, desired=0)
        self.assertEqual(scaler.tick(0, 0, 0, 0, 2, 10), 2)  # the scheduled minimum applies at once


class WarmPool(unittest.TestCase):
    def at(self, *args):
        return datetime.datetime(*args, tzinfo=UTC)

    def minimum(self, when, tz="Europe/Dublin", days="MON-FRI"):
        return scaling.warm_pool_minimum(when, tz, days, 8, 18, 2)

    def test_business_hours_in_the_time_zone(self):
        self.assertEqual(self.minimum(self.at(2026, 1, 12, 8, 0)), 2)    # Monday 08:00 GMT
        self.assertEqual(self.minimum(self.at(2026, 1, 12, 7, 59)), 0)
        self.assertEqual(self.minimum(self.at(2026, 1, 12, 18, 0)), 0)
        self.assertEqual(self.minimum(self.at(2026, 7, 13, 7, 30)), 2)   # 08:30 IST (UTC+1)
        self.assertEqual(self.minimum(self.at(2026, 7, 13, 17, 30)), 0)  # 18:30 IST
        self.assertEqual(self.minimum(self.at(2026, 1, 17, 12, 0)), 0)   # Saturday
        self.assertEqual(self.minimum(self.at(2026, 1, 12, 14, 0), tz="America/New_York"), 2)
        self.assertEqual(self.minimum(self.at(2026, 1, 12, 12, 0), tz="America/New_York"), 0)

    def test_cron_day_fields(self):
        self.assertEqual(scaling.business_days("MON-FRI"), {0, 1, 2, 3, 4})
        self.assertEqual(scaling.business_days("SAT-MON"), {5, 6, 0})
        self.assertEqual(scaling.business_days("MON,WED"), {0, 2})
        self.assertEqual(scaling.cron(8, "MON-FRI"), "cron(0 8 ? * MON-FRI *)")


if __name__ == "__main__":
    unittest.main()
