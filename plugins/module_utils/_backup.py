# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleetops.kurator contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE to fleetops.kurator: no compatibility promise outside the collection.
"""A backup intent, one implementation for every output (Kurator Backup here; Velero Schedule too).

Pure Python, no I/O. ``backup_intent`` takes the user's picture - the ``BackupPolicy``
document of the mission examples (not an upstream kind) or plain options - and returns one
normalized intent with the translations it made; ``retention_ttl`` turns "keep the last N"
into the TTL Velero enforces (Velero and Kurator have TTL, not keep-last-N): N times the
schedule's fixed interval. ``kurator_backup`` / ``kurator_restore`` / ``kurator_migrate``
emit Kurator's ``backup.kurator.dev/v1alpha1`` objects from it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import re

from ansible_collections.fleetops.kurator.plugins.module_utils._labels import dns1123_subdomain_error, known_key, problem
from ansible_collections.fleetops.kurator.plugins.module_utils._velero import go_duration

API_VERSION = 'backup.kurator.dev/v1alpha1'
BACKUP_POLICY_KEYS = ('schedule', 'retentionPolicy', 'backupContent', 'storageLocation')
RETENTION_KEYS = ('keepLast', 'ttl')
CONTENT_KEYS = ('namespaces', 'excludedNamespaces', 'resources', 'excludedResources', 'labelSelector',
                'includeClusterResources')
STORAGE_KEYS = ('provider', 'bucket')
_DURATION = re.compile(r'(\d+(\.\d+)?(ns|us|ms|s|m|h))+\Z')
_DURATION_PART = re.compile(r'(\d+(?:\.\d+)?)(ns|us|ms|s|m|h)')
_UNIT_SECONDS = {'ns': 1e-9, 'us': 1e-6, 'ms': 1e-3, 's': 1, 'm': 60, 'h': 3600}
_MACROS = {'@yearly': '0 0 1 1 *', '@annually': '0 0 1 1 *', '@monthly': '0 0 1 * *', '@weekly': '0 0 * * 0',
           '@daily': '0 0 * * *', '@midnight': '0 0 * * *', '@hourly': '0 * * * *'}
_FIELDS = (('minute', 0, 59), ('hour', 0, 23), ('day of month', 1, 31), ('month', 1, 12), ('day of week', 0, 7))


class BackupError(ValueError):
    def __init__(self, errors):
        self.errors = list(errors)
        super(BackupError, self).__init__('; '.join(self.errors))


# --- schedules and retention -------------------------------------------------------------------


def duration_seconds(text):
    """Seconds of a Go duration ('168h0m0s'); None when it is not one."""
    if not isinstance(text, str) or not _DURATION.match(text):
        return None
    return sum(float(n) * _UNIT_SECONDS[u] for n, u in _DURATION_PART.findall(text))


def _cron_field(text, name, low, high):
    values = set()
    for part in text.split(','):
        step = 1
        if '/' in part:
            part, step_text = part.split('/', 1)
            if not step_text.isdigit() or int(step_text) < 1:
                raise ValueError('%s: step %r is not a positive number' % (name, step_text))
            step = int(step_text)
        if part == '*':
            start, end = low, high
        elif '-' in part:
            a, b = part.split('-', 1)
            if not (a.isdigit() and b.isdigit()):
                raise ValueError('%s: %r is not a range of numbers' % (name, part))
            start, end = int(a), int(b)
        elif part.isdigit():
            start = end = int(part)
            if step > 1:
                end = high
        else:
            raise ValueError('%s: %r is not a number, range or * (names are not supported)' % (name, part))
        if not low <= start <= end <= high:
            raise ValueError('%s: %r is outside %d-%d' % (name, part, low, high))
        values.update(range(start, end + 1, step))
    return values


def schedule_interval(schedule):
    """The fixed interval in seconds between the runs of a cron schedule (as Velero reads it), or
    raise ValueError saying why there is none (irregular, or not a schedule)."""
    text = schedule.strip() if isinstance(schedule, str) else ''
    if text.startswith('@every '):
        seconds = duration_seconds(text[len('@every '):].strip())
        if not seconds:
            raise ValueError('@every takes a duration such as 6h')
        return seconds
    text = _MACROS.get(text, text)
    fields = text.split()
    if len(fields) != 5:
        raise ValueError('a cron schedule has 5 fields (minute hour day-of-month month day-of-week), or @daily, '
                         '@every 6h, ...')
    minute, hour, dom, month, dow = [_cron_field(f, n, lo, hi) for f, (n, lo, hi) in zip(fields, _FIELDS)]
    if 7 in dow:
        dow = (dow - set([7])) | set([0])
    dom_any, dow_any = fields[2] == '*', fields[4] == '*'
    # Runs over 400 days from a Monday at 00:00 (cron's day-of-month/day-of-week OR rule).
    start = datetime.datetime(2026, 1, 5)
    runs = []
    day = start
    while day < start + datetime.timedelta(days=400) and len(runs) < 5000:
        cron_dow = (day.weekday() + 1) % 7
        dom_ok, dow_ok = day.day in dom, cron_dow in dow
        day_ok = (dom_ok and dow_ok) if (dom_any or dow_any) else (dom_ok or dow_ok)
        if day.month in month and day_ok:
            runs.extend(day.replace(hour=h, minute=m) for h in sorted(hour) for m in sorted(minute))
        day += datetime.timedelta(days=1)
    gaps = sorted(set(int((b - a).total_seconds()) for a, b in zip(runs, runs[1:])))
    if not gaps:
        raise ValueError('it runs less than twice a year')
    if len(gaps) > 1:
        raise ValueError('its runs are not evenly spaced (gaps from %s to %s)' % (go_duration(gaps[0]), go_duration(gaps[-1])))
    return gaps[0]


def retention_ttl(keep_last, schedule):
    """(ttl, explanation): keeping the last N backups of a schedule as Velero's TTL."""
    period = schedule_interval(schedule)
    ttl = go_duration(keep_last * period)
    return ttl, ('retentionPolicy.keepLast %d -> ttl %s: Velero and Kurator expire backups by age (TTL), not by count; '
                 'with one backup every %s, %d x %s keeps the last %d (Velero\'s garbage collection runs hourly, so an '
                 'expired one may stay up to an hour more, and a failed run leaves fewer)'
                 % (keep_last, ttl, go_duration(period), keep_last, go_duration(period), keep_last))


# --- the intent --------------------------------------------------------------------------------


def _strings(value, where, errors):
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        errors.append(problem(where, value, 'a list of names'))
        return []
    return list(value)


def backup_intent(name, schedule=None, ttl=None, keep_last=None, namespaces=None, excluded_namespaces=None,
                  resources=None, excluded_resources=None, label_selector=None, include_cluster_resources=None,
                  clusters=None, definition=None):
    """The normalized intent: {name, schedule, ttl, namespaces, excluded_namespaces, resources,
    excluded_resources, label_selector, include_cluster_resources, clusters, storage, translations}.

    ``definition`` is the user's BackupPolicy document; its fields fill what the options leave unset.
    """
    errors, translations, storage = [], [], None
    if definition is not None:
        fields = _from_backup_policy(definition, errors, translations)
        name = name or fields.pop('name', None)
        storage = fields.pop('storage', None)
        schedule = schedule if schedule is not None else fields.get('schedule')
        keep_last = keep_last if keep_last is not None else fields.get('keep_last')
        ttl = ttl if ttl is not None else fields.get('ttl')
        namespaces = namespaces if namespaces is not None else fields.get('namespaces')
        excluded_namespaces = excluded_namespaces if excluded_namespaces is not None else fields.get('excluded_namespaces')
        resources = resources if resources is not None else fields.get('resources')
        excluded_resources = excluded_resources if excluded_resources is not None else fields.get('excluded_resources')
        label_selector = label_selector if label_selector is not None else fields.get('label_selector')
        if include_cluster_resources is None:
            include_cluster_resources = fields.get('include_cluster_resources')
    if dns1123_subdomain_error(name):
        errors.append(problem('name', name, 'a backup name: a DNS-1123 subdomain'))
    if schedule is not None and schedule != '':
        try:
            if keep_last:
                schedule_interval(schedule)
            else:
                _check_cron(schedule)
        except ValueError as exc:
            errors.append(problem('schedule', schedule, 'a cron schedule Velero runs (%s)' % exc))
    if ttl is not None and keep_last is not None:
        errors.append(problem('ttl', ttl, 'either ttl or keep_last (retentionPolicy.keepLast), not both'))
    elif ttl is not None and duration_seconds(ttl) is None:
        errors.append(problem('ttl', ttl, 'a duration such as 720h0m0s'))
    if keep_last is not None:
        if isinstance(keep_last, bool) or not isinstance(keep_last, int) or keep_last < 1:
            errors.append(problem('keep_last', keep_last, 'a whole number of backups, at least 1'))
        elif not schedule:
            errors.append(problem('keep_last', keep_last, 'a schedule too: keeping the last N is N times the '
                                                          'interval of a scheduled backup'))
    if label_selector is not None and not isinstance(label_selector, dict):
        errors.append(problem('label_selector', label_selector, 'a label selector (matchLabels / matchExpressions)'))
    intent = {
        'name': name, 'schedule': schedule or '', 'ttl': ttl,
        'namespaces': _strings(namespaces, 'namespaces', errors),
        'excluded_namespaces': _strings(excluded_namespaces, 'excluded_namespaces', errors),
        'resources': _strings(resources, 'resources', errors),
        'excluded_resources': _strings(excluded_resources, 'excluded_resources', errors),
        'label_selector': label_selector, 'include_cluster_resources': include_cluster_resources,
        'clusters': _strings(clusters, 'clusters', errors), 'storage': storage, 'translations': translations,
    }
    if errors:
        raise BackupError(errors)
    if keep_last is not None:
        intent['ttl'], why = retention_ttl(keep_last, schedule)
        translations.append(why)
    return intent


def _check_cron(schedule):
    try:
        schedule_interval(schedule)
    except ValueError as exc:
        if 'evenly spaced' not in str(exc) and 'less than twice' not in str(exc):
            raise


def _from_backup_policy(doc, errors, translations):
    """The fields of the user's BackupPolicy (example 06), with what each became."""
    out = {}
    if not isinstance(doc, dict):
        errors.append(problem('definition', doc, 'a BackupPolicy document (a mapping)'))
        return out
    if doc.get('kind') != 'BackupPolicy':
        errors.append(problem('definition.kind', doc.get('kind'), 'BackupPolicy'))
    out['name'] = (doc.get('metadata') or {}).get('name')
    spec = doc.get('spec') or {}
    if not isinstance(spec, dict):
        errors.append(problem('definition.spec', spec, 'a mapping'))
        return out
    for key in spec:
        if key not in BACKUP_POLICY_KEYS:
            errors.append(problem('definition.spec.%s' % key, key, known_key(key, BACKUP_POLICY_KEYS)))
    translations.append('BackupPolicy is not an upstream kind (Kurator has Backup; BackupPolicy is only the Go type of '
                        'Backup.spec.policy): emitted as backup.kurator.dev/v1alpha1 Backup')
    if 'schedule' in spec:
        out['schedule'] = spec['schedule']
        translations.append('spec.schedule -> Backup.spec.schedule')
    retention = spec.get('retentionPolicy') or {}
    if isinstance(retention, dict):
        for key in retention:
            if key not in RETENTION_KEYS:
                errors.append(problem('definition.spec.retentionPolicy.%s' % key, key, known_key(key, RETENTION_KEYS)))
        if 'keepLast' in retention:
            out['keep_last'] = retention['keepLast']
        if 'ttl' in retention:
            out['ttl'] = retention['ttl']
    content = spec.get('backupContent') or {}
    if isinstance(content, dict):
        for key in content:
            if key not in CONTENT_KEYS:
                errors.append(problem('definition.spec.backupContent.%s' % key, key, known_key(key, CONTENT_KEYS)))
        for src, dst in (('namespaces', 'namespaces'), ('excludedNamespaces', 'excluded_namespaces'),
                         ('resources', 'resources'), ('excludedResources', 'excluded_resources'),
                         ('labelSelector', 'label_selector'), ('includeClusterResources', 'include_cluster_resources')):
            if src in content:
                out[dst] = content[src]
        if 'namespaces' in content:
            translations.append('spec.backupContent.namespaces -> Backup.spec.policy.resourceFilter.includedNamespaces')
    location = spec.get('storageLocation')
    if isinstance(location, dict):
        for key in location:
            if key not in STORAGE_KEYS:
                errors.append(problem('definition.spec.storageLocation.%s' % key, key, known_key(key, STORAGE_KEYS)))
        out['storage'] = dict(location)
        translations.append('spec.storageLocation is not per backup in Kurator: storage is the Fleet\'s backup plugin '
                            '(Fleet.spec.plugin.backup.storage.location, from the topology\'s settings.s3); it is '
                            'compared with that, not copied into the Backup')
    return out


# --- Kurator's objects ---------------------------------------------------------------------------


def _destination(fleet, clusters):
    dest = {'fleet': fleet}
    if clusters:
        dest['clusters'] = [{'name': c, 'kind': 'AttachedCluster'} for c in clusters]
    return dest


def _resource_filter(intent):
    rf = {}
    for key, field in (('namespaces', 'includedNamespaces'), ('excluded_namespaces', 'excludedNamespaces'),
                       ('resources', 'includedResources'), ('excluded_resources', 'excludedResources')):
        if intent.get(key):
            rf[field] = list(intent[key])
    if intent.get('label_selector'):
        rf['labelSelector'] = dict(intent['label_selector'])
    if intent.get('include_cluster_resources') is not None:
        rf['includeClusterResources'] = bool(intent['include_cluster_resources'])
    return rf


def kurator_backup(intent, fleet, namespace, labels):
    spec = {'destination': _destination(fleet, intent['clusters'])}
    if intent['schedule']:
        spec['schedule'] = intent['schedule']
    policy = {}
    rf = _resource_filter(intent)
    if rf:
        policy['resourceFilter'] = rf
    if intent.get('ttl'):
        policy['ttl'] = intent['ttl']
    if policy:
        spec['policy'] = policy
    return {'apiVersion': API_VERSION, 'kind': 'Backup',
            'metadata': {'name': intent['name'], 'namespace': namespace, 'labels': labels}, 'spec': spec}


def _restore_policy(intent, namespace_mapping, preserve_node_ports):
    """The policy a Restore and a Migrate share: resource filter, namespace mapping, node ports."""
    policy = {}
    rf = _resource_filter(intent or {})
    if rf:
        policy['resourceFilter'] = rf
    if namespace_mapping:
        policy['namespaceMapping'] = dict(namespace_mapping)
    if preserve_node_ports is not None:
        policy['preserveNodePorts'] = bool(preserve_node_ports)
    return policy


def kurator_restore(name, backup_name, fleet, namespace, labels, clusters=None, intent=None, namespace_mapping=None,
                    preserve_node_ports=None):
    spec = {'backupName': backup_name, 'destination': _destination(fleet, clusters)}
    policy = _restore_policy(intent, namespace_mapping, preserve_node_ports)
    if policy:
        spec['policy'] = policy
    return {'apiVersion': API_VERSION, 'kind': 'Restore',
            'metadata': {'name': name, 'namespace': namespace, 'labels': labels}, 'spec': spec}


def kurator_migrate(name, fleet, source_cluster, target_clusters, namespace, labels, intent=None,
                    namespace_mapping=None, preserve_node_ports=None):
    spec = {'sourceCluster': _destination(fleet, [source_cluster]), 'targetCluster': _destination(fleet, target_clusters)}
    policy = _restore_policy(intent, namespace_mapping, preserve_node_ports)
    if policy:
        spec['policy'] = policy
    return {'apiVersion': API_VERSION, 'kind': 'Migrate',
            'metadata': {'name': name, 'namespace': namespace, 'labels': labels}, 'spec': spec}
