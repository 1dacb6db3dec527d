# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE to fleetops.kurator: no compatibility promise outside the collection.
"""Volcano Jobs (batch.volcano.sh/v1alpha1): checks before apply, upstream's defaults, gang fit.

Pure functions, no I/O (the ``volcano_job`` module reads the cluster and calls them):

- ``check_job``: what the user's Job gets wrong, every problem at once with its field path -
  the shape Volcano v1.14's admission would reject (``minAvailable`` above the sum of the
  task replicas, task ``minAvailable`` above its replicas, negative replicas, duplicate or
  invalid task names) plus what this collection requires beyond it (every task named).
- ``check_against_cluster``: the queue exists and is Open; a GPU request (any extended
  resource named ``<vendor>/gpu``) has a node offering that resource; a task's
  ``nodeSelector`` matches a node.
- ``complete_job``: images overridden per task, then upstream's defaults made explicit (what
  vc-webhook-manager's ``/jobs/mutate`` adds), so the object stored is the object sent and
  the copy Karmada propagates equals the member's.
- ``gang_request`` / ``karmada_fit``: the resources the whole gang needs, and which Karmada
  member clusters have them free now (``Cluster.status.resourceSummary``: allocatable minus
  allocated minus allocating, as Karmada's general estimator reads it).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy
import re
from decimal import Decimal, InvalidOperation

from ansible_collections.fleetops.kurator.plugins.module_utils._labels import dns1123_label_error, show

API_VERSION = 'batch.volcano.sh/v1alpha1'
QUEUE_API_VERSION = 'scheduling.volcano.sh/v1beta1'
# vc-webhook-manager /jobs/mutate v1.14.1 (pkg/webhooks/admission/jobs/mutate/mutate_job.go).
DEFAULT_QUEUE = 'default'
DEFAULT_MAX_RETRY = 3
DEFAULT_SCHEDULER = 'volcano'

_GPU = re.compile(r'^[a-z0-9.-]+/gpu$')
_SUFFIXES = {
    'Ki': Decimal(1024), 'Mi': Decimal(1024) ** 2, 'Gi': Decimal(1024) ** 3, 'Ti': Decimal(1024) ** 4,
    'Pi': Decimal(1024) ** 5, 'Ei': Decimal(1024) ** 6,
    'n': Decimal('1e-9'), 'u': Decimal('1e-6'), 'm': Decimal('1e-3'), '': Decimal(1),
    'k': Decimal('1e3'), 'M': Decimal('1e6'), 'G': Decimal('1e9'), 'T': Decimal('1e12'),
    'P': Decimal('1e15'), 'E': Decimal('1e18'),
}
_QUANTITY = re.compile(r'^([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|)$')


class JobError(ValueError):
    """Invalid input; .errors lists every problem as 'field.path: message'."""

    def __init__(self, errors):
        if isinstance(errors, str):
            errors = [errors]
        self.errors = list(errors)
        super(JobError, self).__init__('; '.join(self.errors))


def quantity(value):
    """A Kubernetes resource quantity ('500m', '4Gi', 2) as a Decimal; ValueError when it is none."""
    if isinstance(value, bool):
        raise ValueError('not a quantity: %r' % (value,))
    if isinstance(value, (int, float)):
        return Decimal(str(value))
    match = _QUANTITY.match(str(value).strip())
    if not match:
        raise ValueError('not a quantity: %r' % (value,))
    try:
        return Decimal(match.group(1)) * _SUFFIXES[match.group(2)]
    except InvalidOperation:
        raise ValueError('not a quantity: %r' % (value,))


def is_gpu(resource):
    """An extended resource naming a GPU (nvidia.com/gpu, amd.com/gpu, ...)."""
    return bool(_GPU.match(resource))


def _tasks(job):
    spec = job.get('spec') if isinstance(job, dict) else None
    tasks = spec.get('tasks') if isinstance(spec, dict) else None
    return tasks if isinstance(tasks, list) else []


def _int(value):
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def check_job(job):
    """Every shape problem of a Volcano Job, as 'path: message' strings (empty when fine)."""
    errors = []
    if not isinstance(job, dict):
        return ['definition: got %s; expected a mapping (a batch.volcano.sh/v1alpha1 Job)' % show(job)]
    if job.get('apiVersion') != API_VERSION or job.get('kind') != 'Job':
        errors.append('apiVersion/kind: got %s/%s; expected %s/Job' % (job.get('apiVersion'), job.get('kind'), API_VERSION))
    meta = job.get('metadata') if isinstance(job.get('metadata'), dict) else {}
    if not meta.get('name'):
        errors.append('metadata.name: missing; expected the Job name')
    spec = job.get('spec')
    if not isinstance(spec, dict):
        return errors + ['spec: got %s; expected a mapping with tasks' % show(spec)]
    tasks = spec.get('tasks')
    if not isinstance(tasks, list) or not tasks:
        return errors + ['spec.tasks: got %s; expected at least one task' % show(tasks)]
    total, seen = 0, {}
    for i, task in enumerate(tasks):
        path = 'spec.tasks[%d]' % i
        if not isinstance(task, dict):
            errors.append('%s: got %s; expected a mapping' % (path, show(task)))
            continue
        name = task.get('name')
        if name in (None, ''):
            errors.append('%s.name: missing; every task needs a name (Volcano would call it default%d; '
                          'its pods, policies and dependsOn refer to tasks by name)' % (path, i))
        else:
            why = dns1123_label_error(name)
            if why:
                errors.append('%s.name: got %s; %s' % (path, show(name), why))
            elif name in seen:
                errors.append('%s.name: %r is already the name of spec.tasks[%d]; task names must be unique'
                              % (path, name, seen[name]))
            else:
                seen[name] = i
        replicas = task.get('replicas', 0)
        if _int(replicas) is None or replicas < 0:
            errors.append('%s.replicas: got %s; expected an integer >= 0' % (path, show(replicas)))
            replicas = 0
        total += replicas
        if 'minAvailable' in task:
            task_min = _int(task['minAvailable'])
            if task_min is None or task_min < 0:
                errors.append('%s.minAvailable: got %s; expected an integer >= 0' % (path, show(task['minAvailable'])))
            elif task_min > replicas:
                errors.append('%s.minAvailable: %d is larger than the task\'s replicas (%d)' % (path, task_min, replicas))
        template = task.get('template')
        pod = template.get('spec') if isinstance(template, dict) else None
        if not isinstance(pod, dict) or not isinstance(pod.get('containers'), list) or not pod['containers']:
            errors.append('%s.template.spec.containers: missing; expected at least one container' % path)
            continue
        for j, container in enumerate(pod['containers']):
            cpath = '%s.template.spec.containers[%d]' % (path, j)
            res = container.get('resources') if isinstance(container, dict) else None
            for kind in ('requests', 'limits'):
                values = (res or {}).get(kind) or {}
                for key, value in values.items() if isinstance(values, dict) else []:
                    try:
                        if quantity(value) < 0:
                            raise ValueError(value)
                    except ValueError:
                        errors.append('%s.resources.%s[%s]: got %s; expected a resource quantity (for example 2, 500m, 4Gi)'
                                      % (cpath, kind, key, show(value)))
    min_available = spec.get('minAvailable')
    if min_available is not None:
        if _int(min_available) is None or min_available < 0:
            errors.append('spec.minAvailable: got %s; expected an integer >= 0' % show(min_available))
        elif min_available > total:
            errors.append('spec.minAvailable: %d is larger than the sum of spec.tasks[].replicas (%d): the gang '
                          'could never start' % (min_available, total))
    queue = spec.get('queue')
    if queue is not None and (not isinstance(queue, str) or not queue):
        errors.append('spec.queue: got %s; expected a queue name' % show(queue))
    return errors


def pod_requests(pod_spec):
    """What one pod of a template requests: container requests, a limit standing in for a missing
    request (as the API server defaults it), the max with each init container; plus one 'pods'."""
    def sum_of(containers):
        out = {}
        for c in containers or []:
            res = c.get('resources') or {}
            wanted = dict(res.get('limits') or {})
            wanted.update(res.get('requests') or {})
            for key, value in wanted.items():
                out[key] = out.get(key, Decimal(0)) + quantity(value)
        return out
    total = sum_of(pod_spec.get('containers'))
    for init in pod_spec.get('initContainers') or []:
        for key, value in sum_of([init]).items():
            total[key] = max(total.get(key, Decimal(0)), value)
    total['pods'] = Decimal(1)
    return total


def gang_request(job):
    """The resources of the whole gang: every task's replicas (minAvailable of the job being all of
    them for the seed; the sum of replicas is what must fit for everything to start)."""
    total = {}
    for task in _tasks(job):
        per_pod = pod_requests((task.get('template') or {}).get('spec') or {})
        for key, value in per_pod.items():
            total[key] = total.get(key, Decimal(0)) + value * (task.get('replicas') or 0)
    return total


def _matches(selector, labels):
    return all(labels.get(k) == v for k, v in (selector or {}).items())


def check_against_cluster(job, cluster, queues, nodes):
    """What the Job asks of the cluster that it does not have: its queue (present and Open), a node
    offering each GPU resource it requests, a node matching each task's nodeSelector.

    ``queues``: Queue objects as listed (None: the Queue API is not served); ``nodes``: Node objects.
    """
    errors = []
    spec = job.get('spec') or {}
    queue = spec.get('queue') or DEFAULT_QUEUE
    states = dict(((q.get('metadata') or {}).get('name'), ((q.get('status') or {}).get('state') or 'Open'))
                  for q in queues or [])
    if queues is None:
        errors.append('spec.queue: Volcano is not installed in %s (%s Queue is not served); install it with '
                      'fleetops.kurator.volcano (clusters[].batch: true)' % (cluster, QUEUE_API_VERSION))
    elif queue not in states:
        errors.append('spec.queue: queue %r does not exist in %s (queues there: %s)'
                      % (queue, cluster, ', '.join(sorted(n for n in states if n)) or 'none'))
    elif states[queue] != 'Open':
        errors.append('spec.queue: queue %r in %s is %s; jobs can only be submitted to an Open queue'
                      % (queue, cluster, states[queue]))
    ready = [n for n in nodes if not (n.get('spec') or {}).get('unschedulable')]
    for i, task in enumerate(_tasks(job)):
        path = 'spec.tasks[%d].template.spec' % i
        pod = (task.get('template') or {}).get('spec') or {}
        for j, container in enumerate(pod.get('containers') or []):
            res = container.get('resources') or {}
            for kind in ('requests', 'limits'):
                for key, value in sorted((res.get(kind) or {}).items()):
                    if not is_gpu(key) or quantity(value) <= 0:
                        continue
                    offering = [n for n in ready if quantity(((n.get('status') or {}).get('allocatable') or {}).get(key, 0)) > 0]
                    if not offering:
                        errors.append('%s.containers[%d].resources.%s[%s]: task %r requests %s %s, but no node of %s '
                                      'offers %s (no GPU nodes there)' % (path, j, kind, key, task.get('name'), value,
                                                                          key, cluster, key))
        selector = pod.get('nodeSelector')
        if selector and not [n for n in ready if _matches(selector, (n.get('metadata') or {}).get('labels') or {})]:
            errors.append('%s.nodeSelector: %s matches no schedulable node of %s'
                          % (path, ', '.join('%s=%s' % kv for kv in sorted(selector.items())), cluster))
    return errors


def complete_job(job, namespace=None, images=None, scheduler_name=DEFAULT_SCHEDULER):
    """(job, translations): a deep copy with images overridden and Volcano's defaults explicit.

    ``images`` maps a task name, or ``*`` for every task, to the image of all its containers.
    The defaults are those vc-webhook-manager's /jobs/mutate adds on create (queue, schedulerName,
    maxRetry, each task's minAvailable and maxRetry, the job's minAvailable); written out, the object
    this collection stores equals the one it sent, so a re-run and Karmada's copy stay unchanged.
    """
    job = copy.deepcopy(job)
    notes = []
    meta = job.setdefault('metadata', {})
    if namespace and not meta.get('namespace'):
        meta['namespace'] = namespace
    spec = job['spec']
    images = images or {}
    for i, task in enumerate(spec['tasks']):
        image = images.get(task.get('name'), images.get('*'))
        if image:
            for j, c in enumerate(task['template']['spec']['containers']):
                if c.get('image') != image:
                    notes.append('spec.tasks[%d].template.spec.containers[%d].image: %s -> %s (images)'
                                 % (i, j, c.get('image'), image))
                    c['image'] = image
    defaults = []
    if not spec.get('queue'):
        spec['queue'] = DEFAULT_QUEUE
        defaults.append('spec.queue=%s' % DEFAULT_QUEUE)
    if not spec.get('schedulerName'):
        spec['schedulerName'] = scheduler_name
        defaults.append('spec.schedulerName=%s' % scheduler_name)
    if not spec.get('maxRetry'):
        spec['maxRetry'] = DEFAULT_MAX_RETRY
        defaults.append('spec.maxRetry=%d' % DEFAULT_MAX_RETRY)
    for i, task in enumerate(spec['tasks']):
        if task.get('minAvailable') is None:
            task['minAvailable'] = task.get('replicas', 0)
            defaults.append('spec.tasks[%d].minAvailable=%d' % (i, task['minAvailable']))
        if not task.get('maxRetry'):
            task['maxRetry'] = DEFAULT_MAX_RETRY
            defaults.append('spec.tasks[%d].maxRetry=%d' % (i, DEFAULT_MAX_RETRY))
    if not spec.get('minAvailable'):
        spec['minAvailable'] = sum(t['minAvailable'] for t in spec['tasks'])
        defaults.append('spec.minAvailable=%d' % spec['minAvailable'])
    if defaults:
        notes.append("Volcano's admission defaults written out (so the stored object equals the one sent): "
                     + ', '.join(defaults))
    return job, notes


def _free(summary):
    summary = summary or {}
    out = {}
    for key, value in (summary.get('allocatable') or {}).items():
        out[key] = quantity(value)
    for part in ('allocated', 'allocating'):
        for key, value in (summary.get(part) or {}).items():
            if key in out:
                out[key] -= quantity(value)
    return out


def _fmt(value):
    value = value.normalize() if isinstance(value, Decimal) else value
    text = format(value, 'f')
    return text.rstrip('0').rstrip('.') if '.' in text else text


def karmada_fit(job, clusters):
    """Which Karmada member clusters have the whole gang's resources free now.

    ``clusters``: Cluster objects (cluster.karmada.io/v1alpha1) as listed. Returns one entry per
    cluster, best first (fits, then most free GPU, then name): name, fits, short (resource ->
    missing amount) and free (the gang's resources only).
    """
    need = gang_request(job)
    out = []
    for cluster in clusters:
        name = (cluster.get('metadata') or {}).get('name')
        free = _free((cluster.get('status') or {}).get('resourceSummary'))
        short = {}
        for key, amount in need.items():
            if amount <= 0:
                continue
            have = free.get(key, Decimal(0))
            if have < amount:
                short[key] = _fmt(amount - have)
        gpu = sum((v for k, v in free.items() if is_gpu(k)), Decimal(0))
        out.append({'name': name, 'fits': not short, 'short': short,
                    'free': dict((k, _fmt(free.get(k, Decimal(0)))) for k in sorted(need)),
                    '_gpu': gpu})
    out.sort(key=lambda c: (not c['fits'], -c['_gpu'], c['name']))
    for c in out:
        c['free_gpu'] = _fmt(c.pop('_gpu'))
    return out, dict((k, _fmt(v)) for k, v in sorted(need.items()))
