# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    # Read-only check modules: results are reported, failing is the caller's choice.
    DOCUMENTATION = r"""
options:
  fail_on_error:
    description:
      - Fail the task when any check fails.
      - By default the task succeeds and returns every check, so a report can show all problems at once.
    type: bool
    default: false
"""
