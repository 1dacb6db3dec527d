# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE to fleetops.kurator: no compatibility promise outside the collection.
"""The collection's one identity toward Kubernetes: field manager and managed-by label.

Modules (``_k8s.Applier``, ``_policy``) use these constants; roles read the same values from
the inventory (``fleetops_field_manager``, ``fleetops_managed_by``, published by the topology
plugin from here), so every object the collection applies is owned by one field manager and
carries one ``app.kubernetes.io/managed-by`` value.

``fleetops-kurator`` is the spelling the roles used from the start (most objects); the modules
applied as ``fleetops.kurator`` before 0.1.0, and ``_k8s.Applier`` moves such objects over to
the one name (it renames their managed-fields entry, so ownership passes intact).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

FIELD_MANAGER = 'fleetops-kurator'
MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by'
MANAGED_BY = FIELD_MANAGER
# Field managers earlier versions applied with; objects they own are migrated to FIELD_MANAGER.
LEGACY_FIELD_MANAGERS = ('fleetops.kurator',)
