# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):

    # Standard documentation fragment
    DOCUMENTATION = r'''
options: {}
attributes:
  check_mode:
    description: Can run in C(check_mode) and return changed status prediction without modifying target.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in C(check_mode)), when in diff mode.
  idempotent:
    description:
      - When run twice in a row outside check mode, with the same arguments, the second invocation
        indicates no change.
'''

    # Kubernetes modules: check mode is a server-side dry run, so the prediction is the API server's own.
    K8S = r'''
options: {}
attributes:
  check_mode:
    support: full
    details:
      - Objects are sent with C(dryRun=All), so admission webhooks and defaulting run and the
        reported result is what the API server would store.
  diff_mode:
    support: full
  idempotent:
    support: full
'''

    # Read-only info modules.
    INFO_MODULE = r'''
options: {}
attributes:
  check_mode:
    support: full
    details:
      - This action does not modify state.
  diff_mode:
    support: N/A
    details:
      - This action does not modify state.
  idempotent:
    support: full
'''

    # Modules in the collection's k8s action group (meta/runtime.yml): one module_defaults entry
    # sets their connection for a whole play or block.
    ACTION_GROUP_K8S = r'''
options: {}
attributes:
  action_group:
    description: Use C(group/fleetops.kurator.k8s) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - fleetops.kurator.k8s
'''
