#!/usr/bin/env python3
"""Unit tests of bench/cost_model.py's arithmetic (ctest CostModel)."""
import io
import os
import sys
import unittest
from contextlib import redirect_stdout

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cost_model as cm  # noqa: E402

MEASURED = {
    "packages": 10, "package_bytes": 10_000_000, "rules": "small",
    "handler_seconds": {"intake": 5.0, "classify": 2.0, "analyze": 6.0, "aggregate": 1.0, "worker": 4.0},
    "invocations": {"intake": 10, "classify": 5, "analyze": 100, "aggregate": 10},
    "light": {"components": 100, "total_s": 5.0, "bytes": 50_000_000, "fixed_ms": 10.0, "ms_per_mb": 80.0},
    "heavy": {"components": 4, "total_s": 4.0, "bytes": 40_000_000, "fixed_ms": 100.0, "ms_per_mb": 90.0},
    "intake": {"fixed_ms": 200.0, "ms_per_component": 5.0},
}
LIGHT_ONLY = [{"name": "x", "share": 1.0, "package_mb": 5, "light": 10, "light_mb": 0.5, "heavy": 0, "heavy_mb": 0}]


class CostModelTest(unittest.TestCase):
    def setUp(self):
        self.sizes = cm.terraform_sizes()
        self.rates = cm.rates(MEASURED)

    def test_sizes_come_from_terraform(self):
        self.assertEqual(self.sizes["lambda_mb"], {"intake": 1024, "classify": 1024, "analyze": 3008, "aggregate": 1024})
        self.assertEqual((self.sizes["worker_vcpu"], self.sizes["worker_gb"]), (4, 16))

    def test_per_package_work(self):
        work = cm.per_package(LIGHT_ONLY, self.rates)
        # intake 0.2 + 10 x 0.005; classify 10 x 2/104; light 10 x (0.01 + overhead 0.01 + 0.08 x 0.5)
        self.assertAlmostEqual(work["intake_s"], 0.25)
        self.assertAlmostEqual(work["classify_s"], 10 * 2 / 104)
        self.assertAlmostEqual(work["light_s"], 10 * (0.01 + 0.01 + 0.04))
        self.assertEqual(work["heavy_s"], 0)

    def test_idle_month_costs_the_warm_pool_and_polling_only(self):
        work = cm.per_package(cm.default_profile(), self.rates)
        total, items = cm.serverless_monthly(0, work, self.sizes, cm.PRICES, warm_pool=1)
        task_hour = 4 * 0.04048 + 16 * 0.004445
        self.assertAlmostEqual(items["warm_pool"], 10 * 21.7 * task_hour)
        self.assertAlmostEqual(total, items["warm_pool"] + items["idle_polling"])
        self.assertLess(cm.serverless_monthly(0, work, self.sizes, cm.PRICES, warm_pool=0)[0], 1.0)

    def test_serverless_grows_linearly_without_heavy_work(self):
        work = cm.per_package(LIGHT_ONLY, self.rates)
        fixed = cm.serverless_monthly(0, work, self.sizes, cm.PRICES)[0]
        one = cm.serverless_monthly(100, work, self.sizes, cm.PRICES)[0] - fixed
        two = cm.serverless_monthly(200, work, self.sizes, cm.PRICES)[0] - fixed
        self.assertAlmostEqual(two, 2 * one, delta=one * 0.02)

    def test_break_even_is_where_the_costs_cross(self):
        work = cm.per_package(cm.default_profile(), self.rates)
        instance = cm.size_instance(200, work, self.sizes, 2)[0]
        be = cm.break_even(work, self.sizes, cm.PRICES, instance)
        self.assertIsNotNone(be)

        def gap(n):
            return cm.serverless_monthly(n, work, self.sizes, cm.PRICES)[0] - \
                cm.always_on_monthly(n, work, instance, cm.PRICES)[0]
        self.assertLess(gap(be * 0.99), 0)
        self.assertGreater(gap(be * 1.01), 0)
        # Free Lambda and Fargate move it up; a free instance makes always-on cheaper at once.
        cheap = dict(cm.PRICES, lambda_gb_second=0, fargate_vcpu_hour=0)
        self.assertGreater(cm.break_even(work, self.sizes, cheap, instance) or 1e9, be)
        self.assertEqual(cm.break_even(work, self.sizes, dict(cm.PRICES, **{instance: 0, "ebs_gb_month": 0}),
                                       instance), 0.0)

    def test_instance_holds_the_worker_and_drains_the_peak(self):
        work = {"compute_s": 10.0}
        self.assertEqual(cm.size_instance(100, work, self.sizes, 2)[0], "m6i.xlarge")  # memory-bound
        self.assertEqual(cm.size_instance(10000, work, self.sizes, 2)[0], "m6i.4xlarge")  # 13.9 vCPU

    def test_main_prints_the_break_even(self):
        import json
        import tempfile
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(MEASURED, f)
        out = io.StringIO()
        with redirect_stdout(out):
            self.assertEqual(cm.main(["--measurements", f.name, "--price", "fargate_gb_hour=0.005"]), 0)
        os.unlink(f.name)
        self.assertIn("break-even:", out.getvalue())
        self.assertIn("| 200 |", out.getvalue())


if __name__ == "__main__":
    unittest.main()
