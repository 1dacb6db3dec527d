# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):

    # Options of the modules that apply Kurator objects (kurator_fleet, kurator_application, kurator_backup):
    # the CRD schemas their objects are checked against before anything is sent (_kurator.kurator_argument_spec).
    DOCUMENTATION = r'''
options:
  crds:
    description:
      - A file or directory with Kurator's CRDs to validate against. When omitted, the CRDs installed
        in the cluster are read.
    type: path
  validate:
    description:
      - Check the objects against the CRD schemas before sending them. C(false) leaves the checking to
        the API server alone.
    type: bool
    default: true
'''
