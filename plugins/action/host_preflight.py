# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible.plugins.action import ActionBase
from ansible.release import __version__ as ansible_core_version


class ActionModule(ActionBase):
    """Run host_preflight with the controller's clock, for the skew check."""

    _requires_connection = True

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        args = dict(self._task.args)
        start = time.time()
        # The controller's own clock cannot be skewed from itself.
        if self._connection.transport != "local":
            args["controller_time"] = start
        module_result = self._execute_module(module_name="fleetops.kurator.host_preflight", module_args=args,
                                             task_vars=task_vars)
        end = time.time()
        facts = module_result.get("facts") or {}
        if "clock_skew" in facts:
            # The host read its clock somewhere inside [start, end] of the controller's clock, so
            # only a reading outside that window proves a skew; inside it counts as none.
            remote = facts["time"]
            skew = 0.0 if start <= remote <= end else (remote - start if remote < start else remote - end)
            limit = float(args.get("max_clock_skew", 5))
            facts["clock_skew"] = round(skew, 3)
            for check in module_result.get("checks", []):
                if check["name"] == "clock":
                    check["ok"] = abs(skew) <= limit
                    check["detail"] = "%+.1f s from the controller, measured within %.1f s (allowed %.0f s)" % (
                        skew, end - start, limit)
        facts["ansible_core"] = ansible_core_version
        result.update(module_result)
        return result
