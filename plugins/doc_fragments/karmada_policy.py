# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):

    # Options of the modules that manage one Karmada policy (namespaced, or its Cluster* kind).
    DOCUMENTATION = r'''
options:
  name:
    description: Name of the policy.
    type: str
    required: true
  namespace:
    description: Namespace of the namespaced policy (ignored with O(cluster_scoped=true)).
    type: str
    default: default
  cluster_scoped:
    description: Manage the cluster-scoped kind (C(ClusterPropagationPolicy), C(ClusterOverridePolicy)) instead.
    type: bool
    default: false
  state:
    description: Whether the policy should exist.
    type: str
    choices: [present, absent]
    default: present
'''

    # Server-side apply ownership, shared by every module that applies objects.
    FORCE_CONFLICTS = r'''
options:
  force_conflicts:
    description: Take ownership of fields another field manager set.
    type: bool
    default: false
'''
